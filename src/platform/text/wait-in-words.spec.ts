import { waitInWords } from './wait-in-words';

describe('waitInWords', () => {
  it.each([
    [0, '1 second'],
    [1, '1 second'],
    [42, '42 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [873, '15 minutes'],
    [3600, '1 hour'],
    [3601, '2 hours'],
    [7200, '2 hours'],
  ])('%i s reads "%s" (rounded up, never too early)', (seconds, words) => {
    expect(waitInWords(seconds)).toBe(words);
  });
});
