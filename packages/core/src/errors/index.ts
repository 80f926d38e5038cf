export { TributaryError, type TributaryErrorParameters } from "./TributaryError.ts";
