// Tensors as JSON, in the encoding of tests/reference: {"shape": [...], "dtype": "...", "data": [...]}
// with `data` flattened in row-major order (the last index varies fastest).
//
// float32 values are written as the JavaScript number equal to the float32 value; JSON.stringify
// prints the shortest decimal that reads back to that double, so parsing it as a double and
// rounding to float (or reading it as a float directly) gives back the exact float32 bits.
'use strict';

const tf = require('@tensorflow/tfjs');

const INTEGER_DTYPES = ['int32', 'int64'];

function tensorToJson(tensor) {
    return {shape: tensor.shape, dtype: tensor.dtype, data: Array.from(tensor.dataSync())};
}

// A tf.Tensor from its JSON form; integer dtypes become int32, everything else float32.
function tensorFromJson(obj, what = 'tensor') {
    if (obj == null || !Array.isArray(obj.shape) || !Array.isArray(obj.data)) {
        throw new Error(`${what}: expected {"shape": [...], "data": [...]}`);
    }
    const size = obj.shape.reduce((n, d) => n * d, 1);
    if (size !== obj.data.length) {
        throw new Error(`${what}: shape [${obj.shape}] needs ${size} values, data has ${obj.data.length}`);
    }
    const dtype = INTEGER_DTYPES.includes(obj.dtype) ? 'int32' : 'float32';
    return tf.tensor(obj.data, obj.shape, dtype);
}

// A small seeded generator (mulberry32) for reproducible fixture weights and inputs.
class Rng {
    constructor(seed) {
        this.state = seed >>> 0;
    }

    // Uniform in [0, 1).
    next() {
        this.state = (this.state + 0x6D2B79F5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    // `count` float32 values uniform in [low, high).
    uniform(count, low, high) {
        return Float32Array.from({length: count}, () => low + (high - low) * this.next());
    }
}

module.exports = {tensorToJson, tensorFromJson, Rng};
