/** The verifier lacks something it needs (an index, an algorithm): not a difference in the bundle. */
export class VerifyInputError extends Error {
  override name = "VerifyInputError";
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
