// jest: one test of every outcome, nested describe blocks.
describe("math", () => {
  test("adds", () => expect(1 + 1).toBe(2));
  test("fails", () => expect([1, 2, 3]).toEqual([1, 2, 4]));
  test.skip("is skipped", () => {});
  test.todo("is todo");
  describe("nested", () => {
    test("ünïcode ☃ passes", () => expect(true).toBe(true));
  });
});

test("top level throws", () => {
  throw new Error("boom");
});
