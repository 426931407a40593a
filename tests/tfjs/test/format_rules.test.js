// What TF.js 4.22 requires of, accepts in, and does with a Layers model.json. Each finding that
// docs/format.md states is checked here, on hand-written topologies loaded from memory.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const {Rng} = require('../tensor_json');
const fmt = require('../tapenet_format');

// LSTM(4) on (T=5, D=3) -> Dense(2), weights named as TF.js and tapenet name them.
const SPECS = [
    {name: 'lstm/kernel', shape: [3, 16], dtype: 'float32'},
    {name: 'lstm/recurrent_kernel', shape: [4, 16], dtype: 'float32'},
    {name: 'lstm/bias', shape: [16], dtype: 'float32'},
    {name: 'dense/kernel', shape: [4, 2], dtype: 'float32'},
    {name: 'dense/bias', shape: [2], dtype: 'float32'},
];
const X = tf.tensor(new Rng(5).uniform(2 * 5 * 3, -2, 2), [2, 5, 3]);

// The values of a weight depend on its name only, so reordering the manifest keeps them.
function valuesFor(spec) {
    const seed = [...spec.name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
    const count = spec.shape.reduce((n, d) => n * d, 1);
    if (spec.name === 'iter') return spec.dtype === 'int32' ? Int32Array.of(3) : Float32Array.of(3);
    return new Rng(seed).uniform(count, -1, 1);
}
function weightData(specs) {
    const parts = specs.map((s) => Buffer.from(valuesFor(s).buffer));
    const all = Buffer.concat(parts);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
}

function artifacts(modelTopology, specs = SPECS, extra = {}) {
    return Object.assign({modelTopology, weightSpecs: specs, weightData: weightData(specs)}, extra);
}
async function load(modelTopology, specs, extra) {
    return tf.loadLayersModel(tf.io.fromMemory(artifacts(modelTopology, specs, extra)));
}
async function predict(modelTopology, specs, extra) {
    return Array.from((await load(modelTopology, specs, extra)).predict(X).dataSync());
}

const sequential = (layers) => ({class_name: 'Sequential', config: {name: 'seq', layers}});
// A config with `extra` merged in; a key given as undefined is removed.
const withKeys = (base, extra) => {
    const config = Object.assign(base, extra);
    for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
    return config;
};
const lstm = (extra = {}) => ({class_name: 'LSTM', config: withKeys(
    {name: 'lstm', units: 4, batch_input_shape: [null, 5, 3]}, extra)});
const dense = (extra = {}) => ({class_name: 'Dense', config: Object.assign({name: 'dense', units: 2}, extra)});
const MINIMAL = sequential([lstm(), dense()]);

test('minimal topology: Sequential {layers}, and per layer class_name + name + units (+ batch_input_shape first)', async () => {
    const full = sequential([
        fmt.lstmConfig({name: 'lstm', units: 4, batchInputShape: [null, 5, 3], recurrentActivation: 'hard_sigmoid'}),
        fmt.denseConfig({name: 'dense', units: 2}),
    ]);
    full.keras_version = 'tapenet 0.1.0';
    full.backend = 'tapenet';
    assert.deepEqual(await predict(MINIMAL), await predict(full));
    // Keras 1 style: config is the bare list of layers.
    assert.deepEqual(await predict({class_name: 'Sequential', config: [lstm(), dense()]}), await predict(MINIMAL));
});

test("a missing recurrent_activation means hard_sigmoid in TF.js, so tapenet writes 'sigmoid' explicitly", async () => {
    const model = await load(MINIMAL);
    assert.equal(model.layers[0].getConfig().recurrentActivation, 'hardSigmoid');
    const hard = await predict(MINIMAL);
    assert.deepEqual(await predict(sequential([lstm({recurrent_activation: 'hard_sigmoid'}), dense()])), hard);
    assert.notDeepEqual(await predict(sequential([lstm({recurrent_activation: 'sigmoid'}), dense()])), hard);
});

test("TF.js' hard_sigmoid is clip(0.2 x + 0.5, 0, 1) (Keras 2's; Keras 3 changed it to relu6(x + 3) / 6)", () => {
    const x = tf.tensor1d([-3, -2.5, -1, 0, 0.5, 2.5, 3]);
    const y = tf.layers.activation({activation: 'hardSigmoid'}).apply(x);
    const expected = [0, 0, 0.3, 0.5, 0.6, 1, 1];
    Array.from(y.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-7, `${v} vs ${expected[i]}`));
});

test('defaults TF.js assumes for missing LSTM/Dense keys', async () => {
    const [l, d] = (await load(MINIMAL)).layers.map((layer) => layer.getConfig());
    assert.equal(l.activation, 'tanh');
    assert.equal(l.useBias, true);
    assert.equal(l.returnSequences, false);
    assert.equal(l.trainable, true);
    assert.equal(l.dtype, 'float32');
    assert.equal(d.activation, 'linear');
    assert.equal(d.useBias, true);
});

test('the first layer needs batch_input_shape (or input_shape, or a leading InputLayer)', async () => {
    const noShape = sequential([lstm({batch_input_shape: undefined}), dense()]);
    await assert.rejects(load(noShape), /must get an `inputShape` or `batchInputShape`/);
    // Keras 3's name for it is not understood.
    await assert.rejects(load(sequential([lstm({batch_input_shape: undefined, batch_shape: [null, 5, 3]}), dense()])),
                         /must get an `inputShape` or `batchInputShape`/);
    const expected = await predict(MINIMAL);
    assert.deepEqual(await predict(sequential([lstm({batch_input_shape: undefined, input_shape: [5, 3]}), dense()])), expected);
    const inputLayer = {class_name: 'InputLayer', config: {name: 'input_1', batch_input_shape: [null, 5, 3],
                                                            dtype: 'float32', sparse: false}};
    assert.deepEqual(await predict(sequential([inputLayer, lstm({batch_input_shape: undefined}), dense()])), expected);
    // Batch and time may be null (any length).
    assert.deepEqual(await predict(sequential([lstm({batch_input_shape: [null, null, 3]}), dense()])), expected);
});

test('layer names are required in practice: weights are matched by <layer name>/<weight name>', async () => {
    const unnamed = sequential([{class_name: 'LSTM', config: {units: 4, batch_input_shape: [null, 5, 3]}},
                                {class_name: 'Dense', config: {units: 2}}]);
    await assert.rejects(load(unnamed), /Provided weight data has no target variable: lstm\/kernel/);
    await assert.rejects(load(sequential([lstm(), dense({name: 'lstm'})]),
                              SPECS.map((s) => ({...s, name: s.name.replace('dense', 'lstm')}))),
                         /Duplicate weight name: lstm\/kernel/);
});

test('weights are matched by name, not by manifest position (bytes follow manifest order)', async () => {
    const shuffled = [SPECS[4], SPECS[0], SPECS[3], SPECS[2], SPECS[1]];
    assert.deepEqual(await predict(MINIMAL, shuffled), await predict(MINIMAL));
});

test("a 3-part name a/b/c is tried as a/c (Keras' lstm/lstm_cell/kernel); other prefixes fail", async () => {
    const withCell = SPECS.map((s) => ({...s, name: s.name.replace('lstm/', 'lstm/lstm_cell/')}));
    const model = await load(MINIMAL, withCell);
    // Same values as the plain names (valuesFor depends on the name, so compare weights directly).
    assert.deepEqual(Array.from(model.layers[0].getWeights()[0].dataSync()), Array.from(valuesFor(withCell[0])));
    await assert.rejects(load(MINIMAL, SPECS.map((s) => ({...s, name: 'model/x/' + s.name}))),
                         /no target variable: model\/x\/lstm\/kernel/);
    await assert.rejects(load(MINIMAL, SPECS.map((s, i) => ({...s, name: s.name.split('/')[0] + '/' + i}))),
                         /no target variable/);
});

test('strict loading: a missing, extra or mis-shaped model weight is an error', async () => {
    await assert.rejects(load(MINIMAL, SPECS.slice(0, 4)), /1 of 5 weights are not set: dense\/bias/);
    await assert.rejects(load(MINIMAL, [...SPECS, {name: 'junk/x', shape: [1], dtype: 'float32'}]),
                         /Provided weight data has no target variable: junk\/x/);
    await assert.rejects(load(MINIMAL, SPECS.map((s) => (s.name === 'dense/bias' ? {...s, shape: [1, 2]} : s))),
                         /Shape mismatch/);
    // use_bias false: the layer simply has no bias weight.
    await load(sequential([lstm(), dense({use_bias: false})]), SPECS.slice(0, 4));
});

test('ignored: format/generatedBy/convertedBy values, keras_version, backend, unknown config keys, initializer spelling', async () => {
    const expected = await predict(MINIMAL);
    assert.deepEqual(await predict(MINIMAL, SPECS, {format: 'graph-model', generatedBy: 'x', convertedBy: 'y'}), expected);
    const odd = sequential([
        lstm({foo_bar: 1, time_major: false, dtype: 'float32', trainable: true,
              kernel_initializer: {class_name: 'GlorotUniform', config: {seed: null}},
              recurrent_initializer: 'orthogonal',
              bias_initializer: {module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null}}),
        dense({kernel_initializer: {class_name: 'VarianceScaling',
                                    config: {scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null}}}),
    ]);
    odd.keras_version = '2.15.0';
    odd.backend = 'tensorflow';
    assert.deepEqual(await predict(odd), expected);
});

test("not accepted: class_name other than Sequential for a layer list, unknown layers, Keras 3 dtype policies", async () => {
    await assert.rejects(load({class_name: 'Model', config: {name: 'seq', layers: [lstm(), dense()]}}));
    await assert.rejects(load(sequential([lstm(), {class_name: 'Foo', config: {name: 'foo'}}, dense()])), /Unknown layer: Foo/);
    // A Keras 3 dtype policy object loads, but the model then cannot take float32 input.
    const policy = await load(sequential([lstm({dtype: {module: 'keras', class_name: 'DTypePolicy',
                                                        config: {name: 'float32'}}}), dense()]));
    assert.throws(() => policy.predict(X), /can not be cast/);
});

test('userDefinedMetadata loads without complaint and is returned by getUserDefinedMetadata()', async () => {
    const meta = {tapenet: {format_version: 1, weights_crc32: '0a1b2c3d', weights_bytes: 552}};
    const model = await load(MINIMAL, SPECS, {userDefinedMetadata: meta});
    assert.deepEqual(model.getUserDefinedMetadata(), meta);
    assert.deepEqual(Array.from(model.predict(X).dataSync()), await predict(MINIMAL));
});

// Adam state as TF.js saves it: 'iter' (int32 scalar), then every weight's m, then every v.
const ADAM_SPECS = [
    {name: 'iter', shape: [], dtype: 'int32', group: 'optimizer'},
    ...SPECS.map((s) => ({...s, name: `${s.name}/m`, group: 'optimizer'})),
    ...SPECS.map((s) => ({...s, name: `${s.name}/v`, group: 'optimizer'})),
];
const KERAS_ADAM = {loss: 'mean_squared_error', metrics: [],
                    optimizer_config: {class_name: 'Adam', config: {learning_rate: 0.002, beta_1: 0.9,
                                                                    beta_2: 0.999, epsilon: 1e-7}}};

test("optimizer weights (group 'optimizer') are ignored when model.json has no trainingConfig", async () => {
    const model = await load(MINIMAL, [...SPECS, ...ADAM_SPECS]);
    assert.equal(model.optimizer, undefined);
    assert.deepEqual(Array.from(model.predict(X).dataSync()), await predict(MINIMAL));
});

test('with a trainingConfig, TF.js compiles the model and restores optimizer weights by position', async () => {
    const model = await load(MINIMAL, [...SPECS, ...ADAM_SPECS], {trainingConfig: KERAS_ADAM});
    assert.equal(model.optimizer.getClassName(), 'Adam');
    assert.deepEqual(model.optimizer.getConfig(), {learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7});
    assert.equal(model.optimizer.iterations, 3);
    const restored = await model.optimizer.getWeights();
    assert.deepEqual(restored.map((w) => w.name), ADAM_SPECS.map((s) => s.name));
    assert.deepEqual(Array.from(restored[1].tensor.dataSync()), Array.from(valuesFor(ADAM_SPECS[1])));
    // Names are not looked at: renamed moments are restored all the same, in the same slots.
    const renamed = ADAM_SPECS.map((s, i) => (i === 0 ? s : {...s, name: `slot_${i}`}));
    const again = await load(MINIMAL, [...SPECS, ...renamed], {trainingConfig: KERAS_ADAM});
    assert.equal((await again.optimizer.getWeights()).length, ADAM_SPECS.length);
    // A float32 'iter' works too (TF.js reads its first value).
    const floatIter = [{...ADAM_SPECS[0], dtype: 'float32'}, ...ADAM_SPECS.slice(1)];
    assert.equal((await load(MINIMAL, [...SPECS, ...floatIter], {trainingConfig: KERAS_ADAM})).optimizer.iterations, 3);
    // It trains on from there.
    await model.fit(X, tf.zeros([2, 2]), {epochs: 1, verbose: 0});
    assert.equal(model.optimizer.iterations, 4);
});

test('a trainingConfig with a loss or optimizer TF.js does not know makes the load fail', async () => {
    await assert.rejects(load(MINIMAL, SPECS, {trainingConfig: {...KERAS_ADAM, loss: 'tapenet_loss'}}), /Unknown loss/);
    await assert.rejects(load(MINIMAL, SPECS, {trainingConfig: {...KERAS_ADAM,
        optimizer_config: {class_name: 'AdamW', config: {}}}}), /Unknown/);
});

test('TF.js itself does not check the weights size: short data fails obscurely, extra bytes are ignored', async () => {
    const full = new Uint8Array(weightData(SPECS));
    const withData = (bytes) => tf.loadLayersModel(tf.io.fromMemory(
        {modelTopology: MINIMAL, weightSpecs: SPECS, weightData: bytes.slice().buffer}));
    await assert.rejects(withData(full.subarray(0, full.length - 4)), /should have 2 values but has 1/);
    const padded = new Uint8Array(full.length + 8);
    padded.set(full);
    await withData(padded); // loads: this is why tapenet records weights_bytes and a CRC-32
});

test("trainingConfig names TF.js knows: tapenet's losses, SGD (iter only) and Momentum (iter + <w>/momentum)", async () => {
    for (const loss of ['mean_squared_error', 'mean_absolute_error', 'binary_crossentropy',
                        'categorical_crossentropy', 'sparse_categorical_crossentropy']) {
        const model = await load(MINIMAL, SPECS, {trainingConfig: {...KERAS_ADAM, loss}});
        // The load itself proves TF.js knows the loss (an unknown one throws, see above).
        assert.equal(model.loss, loss.replace(/_(.)/g, (_, c) => c.toUpperCase()));
    }
    const iter = ADAM_SPECS[0];
    const sgd = await load(MINIMAL, [...SPECS, iter], {trainingConfig: {loss: 'mean_squared_error', metrics: [],
        optimizer_config: {class_name: 'SGD', config: {learning_rate: 0.1}}}});
    assert.equal(sgd.optimizer.getClassName(), 'SGD');
    assert.deepEqual(sgd.optimizer.getConfig(), {learningRate: 0.1});
    assert.equal(sgd.optimizer.iterations, 3);

    const momentumSpecs = [iter, ...SPECS.map((s) => ({...s, name: `${s.name}/momentum`, group: 'optimizer'}))];
    const momentum = await load(MINIMAL, [...SPECS, ...momentumSpecs], {trainingConfig: {loss: 'mean_squared_error',
        metrics: [], optimizer_config: {class_name: 'Momentum', config: {learning_rate: 0.1, momentum: 0.9,
                                                                         use_nesterov: false}}}});
    assert.deepEqual(momentum.optimizer.getConfig(), {learningRate: 0.1, momentum: 0.9, useNesterov: false});
    assert.deepEqual((await momentum.optimizer.getWeights()).map((w) => w.name), momentumSpecs.map((s) => s.name));
});
