/** The datanet HTTP routes (Hono). */
export { type CreateDatanetRoutesOptions, createDatanetRoutes } from "./createDatanetRoutes.ts";
export { type MultipartForm, readMultipart } from "./readMultipart.ts";
