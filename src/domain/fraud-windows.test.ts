import { describe, expect, it } from 'vitest';
import { peakAround, windowAround } from './fraud-windows.ts';

const H = 3_600_000;
const at = Date.parse('2031-01-10T12:00:00.000Z');
const timed = (...hours: number[]) => hours.map((h, i) => ({ id: `r${i}`, at: at + h * H }));

describe('peakAround', () => {
  it('counts the others of the span ending at the sign-up when all came before it, as live', () => {
    expect(peakAround(at, timed(-23, -10, -1), 24 * H)).toMatchObject({
      count: 3,
      members: ['r0', 'r1', 'r2'],
    });
  });

  it('counts others that happened after the sign-up, for an event that arrives late', () => {
    expect(peakAround(at, timed(1, 5, 20), 24 * H)).toMatchObject({ count: 3, from: at, to: at + 24 * H });
  });

  it('takes the busiest span holding the sign-up, never one wider than the window', () => {
    // Either side of the sign-up, but no 24 h span holds more than two of them with it.
    expect(peakAround(at, timed(-20, -10, 10, 20), 24 * H)).toMatchObject({ count: 2 });
  });

  it('leaves out what is a window or more away, like an office whose sign-ups are days apart', () => {
    expect(peakAround(at, timed(-72, -36, 36, 72), 24 * H)).toMatchObject({ count: 0, members: [] });
  });
});

describe('windowAround', () => {
  it('reaches the window either side of the time', () => {
    expect(windowAround(new Date(at), 1)).toEqual({
      from: '2031-01-10T11:00:00.000Z',
      to: '2031-01-10T13:00:00.000Z',
    });
  });
});
