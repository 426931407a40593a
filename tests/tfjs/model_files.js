// Saving and loading TF.js Layers models as files on disk: `model.json` plus one weights file.
//
// Pure @tensorflow/tfjs has no file-system IO handler (tfjs-node's `file://` needs native code), so
// this module writes the same layout tfjs-node's `file://` handler does:
//   model.json   = {modelTopology, format, generatedBy, convertedBy, weightsManifest,
//                   [trainingConfig], [userDefinedMetadata]}
//   weights.bin  = every tensor of weightsManifest[*].weights, float32 little-endian, in manifest
//                  order, no padding, no header.
// and reads it back, checking that the weights files hold exactly the bytes the manifest asks for.
//
//   const {saveModel, loadModel} = require('./model_files');
//   await saveModel(model, 'out/my_model');                 // out/my_model/{model.json,weights.bin}
//   const again = await loadModel('out/my_model/model.json');
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const BYTES_PER_VALUE = {float32: 4, int32: 4, bool: 1};

// The number of bytes one manifest entry {name, shape, dtype} occupies in the weights file.
function entryBytes(entry) {
    const perValue = BYTES_PER_VALUE[entry.dtype];
    if (perValue === undefined) {
        throw new Error(`weight '${entry.name}': unsupported dtype '${entry.dtype}'`);
    }
    return entry.shape.reduce((n, d) => n * d, 1) * perValue;
}

// The model.json object for saved artifacts, laid out as tfjs-node's file:// handler lays it out.
function modelJsonFor(artifacts, weightsFile) {
    const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{paths: [weightsFile], weights: artifacts.weightSpecs}],
    };
    if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
    if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
    return json;
}

// Saves `model` into directory `dir` (created if missing). Options:
//   weightsFile          name of the weights file (default 'weights.bin')
//   includeOptimizer     also save the optimizer's weights (manifest entries with group 'optimizer')
//   userDefinedMetadata  any JSON object, stored as model.json's userDefinedMetadata
// Returns the model.json object that was written.
async function saveModel(model, dir, options = {}) {
    const weightsFile = options.weightsFile || 'weights.bin';
    let written = null;
    const handler = tf.io.withSaveHandler(async (artifacts) => {
        if (options.userDefinedMetadata != null) {
            artifacts.userDefinedMetadata = options.userDefinedMetadata;
        }
        fs.mkdirSync(dir, {recursive: true});
        const weights = Buffer.from(artifacts.weightData);
        fs.writeFileSync(path.join(dir, weightsFile), weights);
        written = modelJsonFor(artifacts, weightsFile);
        fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(written, null, 1) + '\n');
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON',
                                     weightDataBytes: weights.length}};
    });
    await model.save(handler, {includeOptimizer: Boolean(options.includeOptimizer)});
    return written;
}

// The artifacts (topology, weight specs, weight bytes, ...) of a model.json and its weights files.
function readArtifacts(modelJsonPath) {
    const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
    const artifacts = {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
    };
    for (const key of ['trainingConfig', 'userDefinedMetadata', 'signature']) {
        if (modelJson[key] != null) artifacts[key] = modelJson[key];
    }
    if (modelJson.weightsManifest == null) return artifacts;

    const dir = path.dirname(modelJsonPath);
    const specs = [];
    const buffers = [];
    for (const [g, group] of modelJson.weightsManifest.entries()) {
        const groupBytes = group.weights.reduce((n, entry) => n + entryBytes(entry), 0);
        const data = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
        if (data.length !== groupBytes) {
            throw new Error(`${modelJsonPath}: weightsManifest[${g}] lists ${groupBytes} bytes of ` +
                            `weights but its files [${group.paths}] hold ${data.length}`);
        }
        specs.push(...group.weights);
        buffers.push(data);
    }
    const all = Buffer.concat(buffers);
    artifacts.weightSpecs = specs;
    artifacts.weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
    return artifacts;
}

// An IOHandler whose load() reads a model.json and its weights files from disk.
function fileLoadHandler(modelJsonPath) {
    return {load: async () => readArtifacts(modelJsonPath)};
}

// Loads a Layers model saved as model.json + weights files. `strict` as in tf.loadLayersModel.
async function loadModel(modelJsonPath, {strict = true} = {}) {
    return tf.loadLayersModel(fileLoadHandler(modelJsonPath), {strict});
}

module.exports = {saveModel, loadModel, readArtifacts, fileLoadHandler, entryBytes};
