// mocha: one test of every outcome, nested describe blocks and a failing hook.
const assert = require("assert");

describe("math", function () {
  it("adds", function () { assert.strictEqual(1 + 1, 2); });
  it("fails", function () { assert.deepStrictEqual([1, 2, 3], [1, 2, 4]); });
  it.skip("is skipped", function () {});
  it("is pending");
  describe("nested", function () {
    it("ünïcode ☃ passes", function () { assert.ok(true); });
  });
});

describe("broken hook", function () {
  before(function () { throw new Error("hook failed"); });
  it("never runs", function () {});
});
