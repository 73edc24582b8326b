// Times as ISO 8601 text, exactly as Date#toISOString writes them, without a Date per call: a
// cart or order view writes two to four of them per response, and the date part of the text
// stays the same all day, so only the time of day is worked out each call. Two days are kept:
// a cart view writes today's time and its expiry days ahead, and with one day kept those two
// took turns evicting each other, so every call made a Date after all.

const dayMs = 86_400_000;
/** The first instant of year 10000: from there on toISOString writes six-digit years. */
const fourDigitYearsEndMs = 253_402_300_800_000;

/** The date part of two days, the one last used first. */
let recentDay = Number.NaN;
let recentDate = '';
let olderDay = Number.NaN;
let olderDate = '';

function datePart(day: number): string {
  if (day === recentDay) return recentDate;
  const date = day === olderDay ? olderDate : new Date(day * dayMs).toISOString().slice(0, 'YYYY-MM-DDT'.length);
  olderDay = recentDay;
  olderDate = recentDate;
  recentDay = day;
  recentDate = date;
  return date;
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export function isoTime(ms: number): string {
  // Fractions, negatives, far futures and non-numbers: Date's own rules (and its RangeError).
  if (!Number.isInteger(ms) || ms < 0 || ms >= fourDigitYearsEndMs) return new Date(ms).toISOString();
  const day = Math.floor(ms / dayMs);
  const date = datePart(day);
  let rest = ms - day * dayMs;
  const milliseconds = rest % 1000;
  rest = (rest - milliseconds) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${date}${two(hours)}:${two(minutes)}:${two(seconds)}.${three(milliseconds)}Z`;
}
