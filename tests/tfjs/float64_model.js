// An independent float64 evaluator of a Sequential model.json + weights file, written without
// TF.js: it reads the manifest and the bytes by hand, as tapenet's C++ reader will, and spells the
// layer equations out. Tests use it to check the fixtures' expected.json (computed by TF.js), so a
// fixture is only trusted when two independent computations agree.
//
// Supported: Embedding (mask_zero), LSTM (return_sequences, masking), Attention (keras-attention),
// Dropout (identity at inference), Dense; activations linear, tanh, sigmoid, hard_sigmoid.
// Tensors are nested arrays: x[b][t][d].
'use strict';

const fs = require('fs');
const path = require('path');

const ACTIVATIONS = {
    linear: (v) => v,
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    hard_sigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)), // TF.js / Keras 2
};

function activation(name) {
    const f = ACTIVATIONS[name == null ? 'linear' : name];
    if (f == null) throw new Error(`float64_model: unsupported activation '${name}'`);
    return f;
}

// {name -> {shape, data: Float64Array}} for every model weight (the 'optimizer' group is skipped).
function readWeights(modelJsonPath) {
    const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
    const weights = {};
    for (const group of json.weightsManifest) {
        const bytes = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelJsonPath), p))));
        let offset = 0;
        for (const entry of group.weights) {
            const count = entry.shape.reduce((n, d) => n * d, 1);
            const data = new Float64Array(count);
            for (let i = 0; i < count; i++, offset += 4) {
                data[i] = entry.dtype === 'int32' ? bytes.readInt32LE(offset) : bytes.readFloatLE(offset);
            }
            if (entry.group !== 'optimizer') weights[entry.name] = {shape: entry.shape, data};
        }
        if (offset !== bytes.length) throw new Error(`float64_model: ${bytes.length - offset} stray bytes`);
    }
    return {json, weights};
}

// The weight `param` of layer `layer`: '<layer>/<param>', or Keras' '<layer>/<cell>/<param>'.
function weight(weights, layer, param) {
    const direct = weights[`${layer}/${param}`];
    if (direct) return direct;
    const nested = Object.keys(weights).find((n) => {
        const parts = n.split('/');
        return parts.length === 3 && parts[0] === layer && parts[2] === param;
    });
    if (nested == null) throw new Error(`float64_model: no weight ${layer}/${param}`);
    return weights[nested];
}

// Row r of a (rows, cols) matrix stored row-major.
const row = (m, r) => m.data.subarray(r * m.shape[1], (r + 1) * m.shape[1]);
// v (n) @ m (n, k) -> (k)
function vecMat(v, m) {
    const out = new Array(m.shape[1]).fill(0);
    v.forEach((vi, i) => row(m, i).forEach((mij, j) => { out[j] += vi * mij; }));
    return out;
}

function dense(x, cfg, w) {
    const f = activation(cfg.activation);
    const kernel = weight(w, cfg.name, 'kernel');
    const bias = cfg.use_bias === false ? null : weight(w, cfg.name, 'bias');
    const apply = (v) => vecMat(v, kernel).map((s, j) => f(s + (bias ? bias.data[j] : 0)));
    const recurse = (t) => (typeof t[0] === 'number' ? apply(t) : t.map(recurse));
    return recurse(x);
}

// Keras LSTM, gates i, f, c, o; a masked step keeps h and c and outputs the previous h.
function lstm(x, mask, cfg, w) {
    const units = cfg.units;
    const act = activation(cfg.activation || 'tanh');
    const rec = activation(cfg.recurrent_activation || 'hard_sigmoid');
    const kernel = weight(w, cfg.name, 'kernel');
    const recurrent = weight(w, cfg.name, 'recurrent_kernel');
    const bias = weight(w, cfg.name, 'bias');
    return x.map((seq, b) => {
        let h = new Array(units).fill(0);
        let c = new Array(units).fill(0);
        const outputs = seq.map((xt, t) => {
            if (mask && !mask[b][t]) return h;
            const zx = vecMat(xt, kernel);
            const zh = vecMat(h, recurrent);
            const z = zx.map((v, j) => v + zh[j] + bias.data[j]);
            const gate = (k, f) => z.slice(k * units, (k + 1) * units).map(f);
            const [i, fg, g, o] = [gate(0, rec), gate(1, rec), gate(2, act), gate(3, rec)];
            c = c.map((cj, j) => fg[j] * cj + i[j] * g[j]);
            h = c.map((cj, j) => o[j] * act(cj));
            return h;
        });
        return cfg.return_sequences ? outputs : outputs[outputs.length - 1];
    });
}

// keras-attention 5.0 (see attention.js for the equations); with a mask, masked steps get zero
// weight and h_t is the last unmasked step (tapenet's rule).
function attention(x, mask, cfg, w) {
    const get = (p) => weight(w, cfg.name, p);
    return x.map((hs, b) => {
        const real = hs.map((_, t) => !mask || mask[b][t]);
        const ht = hs[real.lastIndexOf(true)];
        let scores;
        if (cfg.score === 'luong') {
            scores = hs.map((h) => vecMat(h, get('luong_w')).reduce((s, v, d) => s + v * ht[d], 0));
        } else {
            const w1ht = vecMat(ht, get('bahdanau_w1'));
            scores = hs.map((h) => vecMat(vecMat(h, get('bahdanau_w2')).map((v, d) => Math.tanh(v + w1ht[d])),
                                          get('bahdanau_v'))[0]);
        }
        const top = Math.max(...scores.filter((_, t) => real[t]));
        const e = scores.map((s, t) => (real[t] ? Math.exp(s - top) : 0));
        const alpha = e.map((v) => v / e.reduce((a, b) => a + b, 0));
        const context = ht.map((_, d) => hs.reduce((s, h, t) => s + alpha[t] * h[d], 0));
        return vecMat([...context, ...ht], get('attention_vector')).map(Math.tanh);
    });
}

// Evaluates the model of `modelJsonPath` on x (nested arrays). Returns nested arrays.
function evaluate(modelJsonPath, x) {
    const {json, weights} = readWeights(modelJsonPath);
    let mask = null;
    for (const {class_name: cls, config: cfg} of json.modelTopology.config.layers) {
        if (cls === 'Embedding') {
            const table = weight(weights, cfg.name, 'embeddings');
            if (cfg.mask_zero) mask = x.map((seq) => seq.map((index) => index !== 0));
            x = x.map((seq) => seq.map((index) => Array.from(row(table, index))));
        } else if (cls === 'LSTM') {
            x = lstm(x, mask, cfg, weights);
            if (!cfg.return_sequences) mask = null;
        } else if (cls === 'Attention') {
            x = attention(x, mask, cfg, weights);
            mask = null;
        } else if (cls === 'Dense') {
            x = dense(x, cfg, weights);
        } else if (cls !== 'Dropout' && cls !== 'InputLayer') {
            throw new Error(`float64_model: unsupported layer ${cls}`);
        }
    }
    return x;
}

// Nested arrays from a flat row-major {shape, data} tensor, and back.
function nest({shape, data}) {
    if (shape.length === 1) return Array.from(data);
    const inner = shape.slice(1).reduce((n, d) => n * d, 1);
    return Array.from({length: shape[0]}, (_, i) =>
        nest({shape: shape.slice(1), data: data.slice(i * inner, (i + 1) * inner)}));
}
const flatten = (x) => (Array.isArray(x) ? x.flatMap(flatten) : [x]);

module.exports = {evaluate, readWeights, nest, flatten, ACTIVATIONS};
