import { fileURLToPath } from "node:url";

/**
 * Folder of the built web app (`npm run build:web` writes it), for the node's `createWebRoutes({ distDir })`.
 *
 * @example
 * createWebRoutes({ distDir: webDistDir });
 */
export const webDistDir: string = fileURLToPath(new URL("../dist", import.meta.url));
