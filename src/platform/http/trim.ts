import { Transform } from 'class-transformer';

/** Trims a string field before validation; anything else passes through to fail its own checks. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
