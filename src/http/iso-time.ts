// Times as ISO 8601 text, exactly as Date#toISOString writes them, without a Date per call: a
// cart or order view writes two to four of them per response, and the date part of the text
// stays the same all day, so only the time of day is worked out each call.

const dayMs = 86_400_000;
/** The first instant of year 10000: from there on toISOString writes six-digit years. */
const fourDigitYearsEndMs = 253_402_300_800_000;

let cachedDay = Number.NaN;
let cachedDate = '';

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export function isoTime(ms: number): string {
  // Fractions, negatives, far futures and non-numbers: Date's own rules (and its RangeError).
  if (!Number.isInteger(ms) || ms < 0 || ms >= fourDigitYearsEndMs) return new Date(ms).toISOString();
  const day = Math.floor(ms / dayMs);
  if (day !== cachedDay) {
    cachedDate = new Date(day * dayMs).toISOString().slice(0, 'YYYY-MM-DDT'.length);
    cachedDay = day;
  }
  let rest = ms - day * dayMs;
  const milliseconds = rest % 1000;
  rest = (rest - milliseconds) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(seconds)}.${three(milliseconds)}Z`;
}
