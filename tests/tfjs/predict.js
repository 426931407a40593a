#!/usr/bin/env node
// Runs a saved Layers model (model.json + weights, e.g. written by tapenet) in TensorFlow.js and
// prints its predictions as JSON on stdout.
//
//   node predict.js MODEL_JSON INPUTS_JSON  >  predictions.json
//
// INPUTS_JSON: {"x": {"shape": [B, ...], "dtype": "float32"|"int32", "data": [...]}} (the
// tests/reference tensor encoding; a bare tensor object is accepted too).
// Output: {"y": {"shape": [...], "dtype": "float32", "data": [...]}} with exact float32 values.
// The Attention layer of keras-attention is available (attention.js). If model.json carries a
// tapenet block in userDefinedMetadata, the weights' size and CRC-32 are checked first.
// Exit status: 0 on success, 1 with a message on stderr on any error.
'use strict';

const fs = require('fs');
const tf = require('@tensorflow/tfjs');
require('./attention');
const {loadModel} = require('./model_files');
const {tensorToJson, tensorFromJson} = require('./tensor_json');
const {verifyTapenetMetadata} = require('./tapenet_format');

async function main(argv) {
    if (argv.length !== 2) {
        throw new Error('usage: node predict.js MODEL_JSON INPUTS_JSON');
    }
    const [modelJsonPath, inputsPath] = argv;
    tf.enableProdMode(); // no "install tfjs-node" banner on stderr
    await tf.setBackend('cpu');
    verifyTapenetMetadata(modelJsonPath);
    const model = await loadModel(modelJsonPath);
    const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
    const x = tensorFromJson(inputs.x != null ? inputs.x : inputs, `${inputsPath}: x`);
    const y = model.predict(x);
    process.stdout.write(JSON.stringify({y: tensorToJson(y)}) + '\n');
}

main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`predict.js: ${e.message}\n`);
    process.exit(1);
});
