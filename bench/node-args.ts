// Node flags for a process the bench starts, from an environment variable, so that one of
// them alone can be profiled (`--cpu-prof` is refused in NODE_OPTIONS, which every child shares).

/** The space-separated flags in `process.env[name]`, none when it is unset. */
export function nodeArgsFrom(name: string): string[] {
  return (process.env[name] ?? '').split(' ').filter((arg) => arg !== '');
}
