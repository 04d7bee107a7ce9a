/**
 * Encode plain-data packets to bytes and decode bytes to plain data. Encoding computes every
 * checksum; decoding verifies them (unless told not to) and keeps whatever it cannot parse as raw
 * bytes, so `encode(decode(bytes))` gives back the same bytes for any well-formed frame.
 */
export * from './encode.js';
export * from './decode.js';
