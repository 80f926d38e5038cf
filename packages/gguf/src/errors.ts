import { TributaryError } from "@tributary/core/errors";

/** What is wrong with a GGUF or safetensors file. */
export type GgufErrorCode =
  | "NOT_GGUF"
  | "GGUF_VERSION"
  | "GGUF_TRUNCATED"
  | "GGUF_LIMIT"
  | "TENSOR_MISSING"
  | "TENSOR_TYPE"
  | "TENSOR_SHAPE"
  | "NOT_LLAMA"
  | "NOT_SAFETENSORS";

/** A model file this package cannot read or a tensor set it cannot write: names the problem and what to do. */
export class GgufError extends TributaryError {
  override name = "GgufError";
  constructor(code: GgufErrorCode, message: string, hint: string) {
    super(message, { code, hint });
  }
}
