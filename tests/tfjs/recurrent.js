// Writes the TensorFlow.js ground truth for tapenet's GRU and Bidirectional layers under
// tests/fixtures/recurrent/ (run: node recurrent.js; deterministic, like make_fixture.js).
//
//   tfjs_bidirectional_lstm  Bidirectional(LSTM(4, return_sequences), concat) -> Bidirectional(LSTM(3), sum) -> Dense(2)
//   tfjs_gru                 GRU(4, return_sequences) -> Bidirectional(GRU(3), ave) -> Dense(1)
//                            (TF.js' GRU: reset_after false, its only form; default hard_sigmoid)
// Each directory holds model.json + weights.bin saved by TF.js, inputs.json ({"x"}) and
// expected.json ({"y"}: TF.js' predictions from the saved files). The tapenet_* directories next to
// them are written by tapenet (tests/test_recurrent_interop.cpp with TAPENET_WRITE_FIXTURES=1) and
// checked by test/recurrent.test.js.
'use strict';

const path = require('path');
const tf = require('@tensorflow/tfjs');
const {saveModel, loadModel} = require('./model_files');
const {tensorToJson, Rng} = require('./tensor_json');
const fs = require('fs');

const DIR = path.join(__dirname, '..', 'fixtures', 'recurrent');

const writeJson = (file, obj) => fs.writeFileSync(file, JSON.stringify(obj, null, 1) + '\n');

// The models, by fixture name: [description, build, input shape].
const MODELS = {
    tfjs_bidirectional_lstm: [
        'TF.js 4.22 Sequential: Bidirectional(LSTM(4, return_sequences), concat) on (T=5, D=3) -> ' +
        'Bidirectional(LSTM(3, recurrent_activation sigmoid), sum) -> Dense(2). Saved by TF.js.',
        () => {
            const m = tf.sequential();
            m.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 4, returnSequences: true}),
                                           mergeMode: 'concat', inputShape: [5, 3]}));
            m.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 3, recurrentActivation: 'sigmoid'}),
                                           mergeMode: 'sum'}));
            m.add(tf.layers.dense({units: 2}));
            return m;
        },
        [3, 5, 3]],
    tfjs_gru: [
        'TF.js 4.22 Sequential: GRU(4, return_sequences, TF.js defaults: reset_after false, hard_sigmoid) ' +
        'on (T=6, D=2) -> Bidirectional(GRU(3, recurrent_activation sigmoid), ave) -> Dense(1). Saved by TF.js.',
        () => {
            const m = tf.sequential();
            m.add(tf.layers.gru({units: 4, returnSequences: true, inputShape: [6, 2]}));
            m.add(tf.layers.bidirectional({layer: tf.layers.gru({units: 3, recurrentActivation: 'sigmoid'}),
                                           mergeMode: 'ave'}));
            m.add(tf.layers.dense({units: 1}));
            return m;
        },
        [4, 6, 2]],
};

async function writeFixture(name) {
    const [description, build, inputShape] = MODELS[name];
    const rng = new Rng(name.length * 7919 + 29);
    const model = build();
    model.setWeights(model.weights.map((w) => tf.tensor(
        rng.uniform(w.shape.reduce((n, d) => n * d, 1), -0.9, 0.9), w.shape)));
    const x = tf.tensor(rng.uniform(inputShape.reduce((n, d) => n * d, 1), -2, 2), inputShape);
    const dir = path.join(DIR, name);
    await saveModel(model, dir);
    const reloaded = await loadModel(path.join(dir, 'model.json'));  // what TF.js computes from these files
    writeJson(path.join(dir, 'inputs.json'), {x: tensorToJson(x)});
    writeJson(path.join(dir, 'expected.json'), {description, y: tensorToJson(reloaded.predict(x))});
    console.log(path.relative(process.cwd(), dir));
}

async function main() {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    for (const name of Object.keys(MODELS)) await writeFixture(name);
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}

module.exports = {DIR, MODELS};
