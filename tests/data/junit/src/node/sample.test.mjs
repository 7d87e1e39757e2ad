// Node's built-in runner: one test of every outcome, nested describe blocks.
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";

describe("math", () => {
  it("adds", () => assert.equal(1 + 1, 2));
  it("fails", () => assert.deepEqual([1, 2, 3], [1, 2, 4]));
  it("is skipped", { skip: "not on this platform" }, () => {});
  it("is todo", { todo: "write it" }, () => {});
  describe("nested", () => {
    it("ünïcode ☃ passes", () => assert.ok(true));
  });
});

test("top level throws", () => {
  throw new Error("boom");
});
