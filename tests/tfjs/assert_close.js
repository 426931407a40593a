// Test helper: element-wise comparison of numeric arrays with an absolute + relative tolerance.
'use strict';

const assert = require('node:assert/strict');

// Asserts |actual[i] - expected[i]| <= atol + rtol * |expected[i]| for every i; returns the
// largest absolute difference so tests can report it.
function assertClose(actual, expected, {atol = 1e-6, rtol = 0, what = 'values'} = {}) {
    const a = Array.from(actual);
    const e = Array.from(expected);
    assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
        const diff = Math.abs(a[i] - e[i]);
        worst = Math.max(worst, diff);
        assert.ok(diff <= atol + rtol * Math.abs(e[i]),
                  `${what}[${i}]: got ${a[i]}, expected ${e[i]} (diff ${diff})`);
    }
    return worst;
}

module.exports = {assertClose};
