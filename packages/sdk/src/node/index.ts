export {
  type CreateNodeClientParameters,
  createNodeClient,
  type Json,
  type NodeClient,
  type Page,
  signUpload,
  type UploadFile,
  type UploadView,
} from "./createNodeClient.ts";
