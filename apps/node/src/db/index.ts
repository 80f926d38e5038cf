export { type CreateDatabaseParameters, createDatabase, type NodeDatabase } from "./createDatabase.ts";
export { type Database, projectionTables } from "./schema.ts";
