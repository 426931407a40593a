// CRC-32 as in zlib, PNG and gzip (IEEE 802.3 polynomial, reflected, 0xEDB88320, initial and final
// XOR 0xFFFFFFFF). Check value: crc32("123456789") = 0xcbf43926.
'use strict';

const TABLE = Uint32Array.from({length: 256}, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

// The CRC-32 of the bytes of a Buffer / Uint8Array, as an unsigned 32-bit number.
function crc32(bytes) {
    let c = 0xFFFFFFFF;
    for (const b of bytes) c = TABLE[(c ^ b) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
}

// The 8 lowercase hex digits tapenet stores in model.json ("cbf43926").
function crc32Hex(bytes) {
    return crc32(bytes).toString(16).padStart(8, '0');
}

module.exports = {crc32, crc32Hex};
