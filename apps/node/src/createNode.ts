import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import type { AttributionIndex } from "@tributary/core";
import type { Hono } from "hono";
import { createApp } from "./api/createApp.ts";
import { createAttributionRoutes } from "./attribution/createAttributionRoutes.ts";
import { createIndexFileStore, type IndexFileStore } from "./attribution/createIndexFileStore.ts";
import { createDatabase, type NodeDatabase } from "./db/index.ts";

/** Configuration of a node. Validated at the edge (CLI flags, config file) before it gets here. */
export type NodeConfig = {
  /** Folder for the database, content store and index files. */
  dataDir: string;
  http?: { host?: string; port?: number; maxBodyBytes?: number };
  /** How many decoded attribution indexes to keep in memory. */
  indexCacheSize?: number;
};

/** A running (or ready to run) node. */
export type TributaryNode = {
  app: Hono;
  db: NodeDatabase["db"];
  indexes: IndexFileStore;
  /** Records the index file serving a datanet version (written by the publish step). */
  setVersionIndex(datanetId: bigint, version: number, index: AttributionIndex): Promise<{ indexId: string }>;
  /** Serves the HTTP API; resolves with the URL once listening. */
  listen(): Promise<{ url: string }>;
  stop(): Promise<void>;
};

/**
 * Builds a node from its config: database (migrated), index store, HTTP app with every route.
 *
 * @example
 * const node = await createNode({ dataDir: ".tributary/node", http: { port: 8787 } });
 * const { url } = await node.listen();
 */
export async function createNode(config: NodeConfig): Promise<TributaryNode> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const database = await createDatabase({ path: join(dataDir, "node.db") });
  const db = database.db;
  const indexes = createIndexFileStore({ dir: join(dataDir, "indexes") });
  const cacheSize = config.indexCacheSize ?? 8;
  const cache = new Map<string, AttributionIndex>();

  const loadIndex = async (datanetId: bigint, version: number) => {
    if (datanetId > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const row = await db
      .selectFrom("version_indexes")
      .select("index_id")
      .where("datanet_id", "=", Number(datanetId))
      .where("version", "=", version)
      .executeTakeFirst();
    if (!row) return undefined;
    const hit = cache.get(row.index_id);
    if (hit) {
      cache.delete(row.index_id); // refresh LRU position
      cache.set(row.index_id, hit);
      return hit;
    }
    const index = await indexes.read(row.index_id);
    if (!index) return undefined;
    cache.set(row.index_id, index);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return index;
  };

  const app = createApp({
    ...(config.http?.maxBodyBytes ? { maxBodyBytes: config.http.maxBodyBytes } : {}),
    routes: [createAttributionRoutes({ loadIndex })],
  });

  let server: ReturnType<typeof serve> | undefined;
  return {
    app,
    db,
    indexes,
    async setVersionIndex(datanetId, version, index) {
      const { id } = await indexes.write(index);
      await db
        .insertInto("version_indexes")
        .values({
          datanet_id: Number(datanetId),
          version,
          index_id: id,
          tokens: index.tokens.length,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.columns(["datanet_id", "version"]).doUpdateSet({ index_id: id }))
        .execute();
      return { indexId: id };
    },
    async listen() {
      const host = config.http?.host ?? "127.0.0.1";
      const port = config.http?.port ?? 8787;
      return await new Promise((resolveListen, reject) => {
        server = serve({ fetch: app.fetch, hostname: host, port }, (info) =>
          resolveListen({ url: `http://${host}:${info.port}` }),
        );
        server.once("error", reject);
      });
    },
    async stop() {
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      await database.close();
    },
  };
}
