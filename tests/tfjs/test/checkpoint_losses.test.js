// A tapenet checkpoint of a model with two outputs and a loss each (tests/fixtures/checkpoints/,
// written by tests/test_checkpoint_losses.cpp): TF.js compiles it with both losses from
// trainingConfig's list and restores Adam's state from the optimizer group.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const {loadModel} = require('../model_files');

const MODEL = path.join(__dirname, '..', '..', 'fixtures', 'checkpoints', 'tapenet_two_losses', 'model.json');

test('tapenet_two_losses: TF.js compiles both losses and restores Adam (iterations 3)', async () => {
    const model = await loadModel(MODEL);
    assert.deepEqual(model.loss, ['meanSquaredError', 'meanAbsoluteError']);
    assert.equal(model.optimizer.getClassName(), 'Adam');
    assert.equal(model.optimizer.iterations, 3);
    const state = await model.optimizer.getWeights();
    assert.equal(state.length, 1 + 2 * model.weights.length);
    // One training step runs on the restored state: both outputs take their targets.
    const x = tf.ones([4, 3]);
    const history = await model.fit(x, [tf.zeros([4, 2]), tf.zeros([4, 1])], {epochs: 1, verbose: 0});
    assert.ok(Number.isFinite(history.history.loss[0]));
    assert.equal(model.optimizer.iterations, 4);
});
