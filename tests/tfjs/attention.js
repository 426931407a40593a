// The keras-attention 5.0 `Attention(units, score)` layer as a TF.js custom layer, so that TF.js can
// load the model.json files tapenet writes for LSTM -> Attention -> Dense models.
//
// Input h_s (B, T, D), output (B, units). No biases. Equations (keras-attention 5.0):
//   h_t      = h_s[:, -1, :]                                              (B, D)
//   luong    score[b,s] = sum_d h_t[b,d] * (h_s @ luong_w)[b,s,d]         (B, T)
//   bahdanau score[b,s] = tanh(h_t @ bahdanau_w1 + h_s[b,s] @ bahdanau_w2) @ bahdanau_v
//   alpha    = softmax over s of score                                    (B, T) the attention weights
//   context  = sum_s alpha[b,s] * h_s[b,s,:]                              (B, D)
//   y        = tanh(concat([context, h_t]) @ attention_vector)            (B, units)
//
// Weights, in this order (their manifest names are '<layer name>/<weight name>'):
//   luong:    luong_w (D, D), attention_vector (2D, units)
//   bahdanau: bahdanau_w1 (D, D), bahdanau_w2 (D, D), bahdanau_v (D, 1), attention_vector (2D, units)
// Config keys (besides the base layer's name/trainable/dtype/batch_input_shape): units, score.
// Masks (Embedding(mask_zero) -> LSTM(return_sequences) -> Attention) follow tapenet's Attention
// (layers/attention.h), not keras-attention, which ignores them: masked steps get a score of -inf,
// so exactly zero weight, and h_t is each row's last unmasked step (a row needs one). Without a
// mask the equations above hold unchanged. No mask is passed on (no time axis is left).
//
//   require('./attention');   // registers the class 'Attention' with tf.serialization
//   model.add(new Attention({units: 8, score: 'luong', name: 'attention'}));
'use strict';

const tf = require('@tensorflow/tfjs');

const SCORES = ['luong', 'bahdanau'];

// h_t: row b's last unmasked step of h_s (B, T, D); the last step of every row without a mask.
function lastHiddenState(hs, mask) {
    const [batch, time, dim] = hs.shape;
    if (mask == null) return hs.slice([0, time - 1, 0], [batch, 1, dim]).reshape([batch, dim]);
    const real = mask.cast('bool').cast('int32').arraySync();
    const rows = real.map((steps, b) => {
        const last = steps.lastIndexOf(1);
        if (last < 0) throw new Error(`Attention: row ${b} of the mask has no unmasked step to attend to`);
        return b * time + last;
    });
    return tf.gather(hs.reshape([batch * time, dim]), tf.tensor1d(rows, 'int32'));
}

// The forward pass on plain tensors. `w` maps weight names (luong_w, ..., attention_vector) to
// tensors; `mask` is an optional (B, T) tensor, nonzero = real step. Returns every intermediate so
// tests can compare them with the reference values.
function attentionForward(hs, w, score, mask = null) {
    const [batch, time, dim] = hs.shape;
    const ht = lastHiddenState(hs, mask);
    // (B, T, D) @ (D, E) -> (B, T, E), by folding the time axis into the batch.
    const timeMatMul = (x, m) => x.reshape([batch * time, dim]).matMul(m).reshape([batch, time, -1]);
    let scores;
    if (score === 'luong') {
        scores = timeMatMul(hs, w.luong_w).mul(ht.expandDims(1)).sum(-1);
    } else {
        const hidden = ht.matMul(w.bahdanau_w1).expandDims(1).add(timeMatMul(hs, w.bahdanau_w2)).tanh();
        scores = timeMatMul(hidden, w.bahdanau_v).reshape([batch, time]);
    }
    if (mask != null) scores = tf.where(mask.cast('bool'), scores, tf.fill(scores.shape, -Infinity));
    const alpha = tf.softmax(scores, -1);
    const context = alpha.expandDims(2).mul(hs).sum(1);
    const y = tf.concat([context, ht], 1).matMul(w.attention_vector).tanh();
    return {h_t: ht, score: scores, alpha, context, y};
}

class Attention extends tf.layers.Layer {
    constructor(config = {}) {
        super(config);
        this.units = config.units == null ? 128 : config.units;
        this.score = config.score == null ? 'luong' : config.score;
        if (!Number.isInteger(this.units) || this.units <= 0) {
            throw new Error(`Attention '${this.name}': units must be a positive integer, got ${this.units}`);
        }
        if (!SCORES.includes(this.score)) {
            throw new Error(`Attention '${this.name}': score must be 'luong' or 'bahdanau', got '${this.score}'`);
        }
        this.supportsMasking = true;
    }

    weightShapes(dim) {
        const shapes = this.score === 'luong'
            ? {luong_w: [dim, dim]}
            : {bahdanau_w1: [dim, dim], bahdanau_w2: [dim, dim], bahdanau_v: [dim, 1]};
        shapes.attention_vector = [2 * dim, this.units];
        return shapes;
    }

    build(inputShape) {
        if (inputShape.length !== 3 || inputShape[2] == null) {
            throw new Error(`Attention '${this.name}': expects input (batch, time, features), ` +
                            `got [${inputShape}]`);
        }
        this.w = {};
        for (const [name, shape] of Object.entries(this.weightShapes(inputShape[2]))) {
            this.w[name] = this.addWeight(name, shape, 'float32', tf.initializers.glorotUniform({}));
        }
        this.built = true;
    }

    computeMask() {
        return null;
    }

    computeOutputShape(inputShape) {
        return [inputShape[0], this.units];
    }

    call(inputs, kwargs) {
        return tf.tidy(() => {
            const hs = Array.isArray(inputs) ? inputs[0] : inputs;
            const mask = kwargs == null ? null : kwargs.mask;
            const w = {};
            for (const [name, variable] of Object.entries(this.w)) w[name] = variable.read();
            return attentionForward(hs, w, this.score, Array.isArray(mask) ? mask[0] : mask).y;
        });
    }

    getConfig() {
        return Object.assign({}, super.getConfig(), {units: this.units, score: this.score});
    }

    static get className() {
        return 'Attention';
    }
}

tf.serialization.registerClass(Attention);

module.exports = {Attention, attentionForward};
