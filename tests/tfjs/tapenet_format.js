// A JavaScript reference for the files tapenet writes (docs/format.md): the layer configs, the
// model.json around them, the weights file, and the `userDefinedMetadata.tapenet` check block.
// The fixtures under tests/fixtures/tapenet_* are made with it, and tests load them with TF.js, so
// what the spec promises ("TF.js loads this") is checked, not assumed.
//
//   const layers = [lstmConfig({name: 'lstm', units: 4, returnSequences: true,
//                               batchInputShape: [null, 5, 3]}),
//                   attentionConfig({name: 'attention', units: 8, score: 'luong'}),
//                   denseConfig({name: 'dense', units: 1})];
//   writeTapenetModel('out/model', {layers, weights: [{name: 'lstm/kernel', shape: [3, 16], data}, ...]});
//   verifyTapenetMetadata('out/model/model.json');       // throws if the weights do not match
'use strict';

const fs = require('fs');
const path = require('path');
const {crc32Hex} = require('./crc32');
const {entryBytes} = require('./model_files');

const FORMAT_VERSION = 1;
const GENERATED_BY = 'tapenet 0.1.0';

const glorotUniform = () => ({class_name: 'GlorotUniform', config: {seed: null}});
const zeros = () => ({class_name: 'Zeros', config: {}});

// The keys every tapenet layer config starts with; the first layer also carries its input shape.
function baseConfig(name, batchInputShape) {
    const config = {name, trainable: true, dtype: 'float32'};
    if (batchInputShape != null) config.batch_input_shape = batchInputShape;
    return config;
}

function lstmConfig({name, units, returnSequences = false, recurrentActivation = 'sigmoid',
                     batchInputShape}) {
    return {class_name: 'LSTM', config: Object.assign(baseConfig(name, batchInputShape), {
        units,
        activation: 'tanh',
        recurrent_activation: recurrentActivation,
        use_bias: true,
        kernel_initializer: glorotUniform(),
        recurrent_initializer: {class_name: 'Orthogonal', config: {gain: 1.0, seed: null}},
        bias_initializer: zeros(),
        unit_forget_bias: true,
        dropout: 0.0,
        recurrent_dropout: 0.0,
        return_sequences: returnSequences,
        return_state: false,
        go_backwards: false,
        stateful: false,
        unroll: false,
    })};
}

function denseConfig({name, units, activation = 'linear', useBias = true, batchInputShape}) {
    return {class_name: 'Dense', config: Object.assign(baseConfig(name, batchInputShape), {
        units,
        activation,
        use_bias: useBias,
        kernel_initializer: glorotUniform(),
        bias_initializer: zeros(),
    })};
}

function dropoutConfig({name, rate, batchInputShape}) {
    return {class_name: 'Dropout', config: Object.assign(baseConfig(name, batchInputShape), {
        rate,
        noise_shape: null,
        seed: null,
    })};
}

// Embedding is normally the first layer: batchInputShape [null, T] (T may be null).
function embeddingConfig({name, inputDim, outputDim, maskZero = false, batchInputShape}) {
    return {class_name: 'Embedding', config: Object.assign(baseConfig(name, batchInputShape), {
        input_dim: inputDim,
        output_dim: outputDim,
        embeddings_initializer: {class_name: 'RandomUniform',
                                 config: {minval: -0.05, maxval: 0.05, seed: null}},
        mask_zero: maskZero,
        input_length: batchInputShape == null ? null : batchInputShape[1],
    })};
}

function attentionConfig({name, units = 128, score = 'luong', batchInputShape}) {
    return {class_name: 'Attention', config: Object.assign(baseConfig(name, batchInputShape), {
        units,
        score,
    })};
}

// The bytes of the weights file: every tensor as float32 (or int32 for dtype 'int32') little-endian,
// in list order, no padding.
function weightsBytes(weights) {
    return Buffer.concat(weights.map(({name, shape, dtype = 'float32', data}) => {
        const array = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
        const expected = shape.reduce((n, d) => n * d, 1);
        if (array.length !== expected) {
            throw new Error(`weight '${name}': shape [${shape}] needs ${expected} values, got ${array.length}`);
        }
        const bytes = Buffer.alloc(array.length * 4);
        array.forEach((v, i) => (dtype === 'int32' ? bytes.writeInt32LE(v, i * 4) : bytes.writeFloatLE(v, i * 4)));
        return bytes;
    }));
}

// The model.json object for these layers and weights. `weights` entries: {name, shape, dtype?,
// group?}; `trainingConfig` (optional) makes TF.js compile the model and restore optimizer weights.
function tapenetModelJson({modelName = 'sequential', layers, weights, weightsFile = 'weights.bin',
                           bytes, trainingConfig}) {
    const manifestEntry = ({name, shape, dtype = 'float32', group}) =>
        (group == null ? {name, shape, dtype} : {name, shape, dtype, group});
    const json = {
        format: 'layers-model',
        generatedBy: GENERATED_BY,
        convertedBy: null,
        modelTopology: {
            class_name: 'Sequential',
            config: {name: modelName, layers},
            keras_version: GENERATED_BY,
            backend: 'tapenet',
        },
        weightsManifest: [{paths: [weightsFile], weights: weights.map(manifestEntry)}],
        userDefinedMetadata: {
            tapenet: {format_version: FORMAT_VERSION, weights_crc32: crc32Hex(bytes),
                      weights_bytes: bytes.length},
        },
    };
    if (trainingConfig != null) json.trainingConfig = trainingConfig;
    return json;
}

// Writes dir/weights.bin, then dir/model.json, each through a temporary file and a rename, so an
// interrupted save never leaves a model.json that points at missing or partial weights.
function writeTapenetModel(dir, options) {
    const weightsFile = options.weightsFile || 'weights.bin';
    const bytes = weightsBytes(options.weights);
    const json = tapenetModelJson(Object.assign({}, options, {weightsFile, bytes}));
    fs.mkdirSync(dir, {recursive: true});
    const writeAtomically = (file, data) => {
        fs.writeFileSync(file + '.tmp', data);
        fs.renameSync(file + '.tmp', file);
    };
    writeAtomically(path.join(dir, weightsFile), bytes);
    writeAtomically(path.join(dir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
    return json;
}

// Checks model.json's userDefinedMetadata.tapenet block against its weights files. Returns false
// if the file has no tapenet block (e.g. saved by TF.js), true if it matches; throws otherwise.
function verifyTapenetMetadata(modelJsonPath) {
    const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
    const meta = json.userDefinedMetadata && json.userDefinedMetadata.tapenet;
    if (meta == null) return false;
    if (meta.format_version !== FORMAT_VERSION) {
        throw new Error(`${modelJsonPath}: tapenet format_version ${meta.format_version} is not ${FORMAT_VERSION}`);
    }
    const dir = path.dirname(modelJsonPath);
    const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths)
        .map((p) => fs.readFileSync(path.join(dir, p))));
    const listed = json.weightsManifest.flatMap((g) => g.weights).reduce((n, e) => n + entryBytes(e), 0);
    if (bytes.length !== meta.weights_bytes || listed !== meta.weights_bytes) {
        throw new Error(`${modelJsonPath}: weights_bytes ${meta.weights_bytes}, but the weights files ` +
                        `hold ${bytes.length} bytes and the manifest lists ${listed}`);
    }
    if (crc32Hex(bytes) !== meta.weights_crc32) {
        throw new Error(`${modelJsonPath}: weights CRC-32 is ${crc32Hex(bytes)}, model.json says ` +
                        `${meta.weights_crc32}: the weights file is corrupt or from another save`);
    }
    return true;
}

module.exports = {
    FORMAT_VERSION, lstmConfig, denseConfig, dropoutConfig, embeddingConfig, attentionConfig,
    weightsBytes, tapenetModelJson, writeTapenetModel, verifyTapenetMetadata,
};
