import {
  type ColumnDefinitionNode,
  DataTypeNode,
  GeneratedNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from "kysely";

/**
 * The SQLite column types the migrations name, as PostgreSQL spells them. `integer` widens to `bigint`: SQLite's
 * integer is 64-bit, so millisecond timestamps and deadlines fit there and must fit here (the pool parses int8
 * back to a JS number, see `openPostgres`). `real` is SQLite's 8-byte float, PostgreSQL's `double precision`.
 */
const TYPES: Record<string, Parameters<typeof DataTypeNode.create>[0]> = {
  integer: "bigint",
  blob: "bytea",
  real: "double precision",
};

/** Rewrites data types and `autoincrement` in schema statements; leaves every other query alone. */
class PostgresDdlTransformer extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    const mapped = TYPES[node.dataType];
    return mapped ? DataTypeNode.create(mapped) : node;
  }

  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const column = super.transformColumnDefinition(node);
    if (!column.autoIncrement) return column;
    // SQLite's `integer primary key autoincrement` is PostgreSQL's identity column.
    return {
      ...column,
      autoIncrement: false,
      generated: GeneratedNode.create({ byDefault: true, identity: true }),
    };
  }
}

/**
 * Runs the SQLite-typed migrations on PostgreSQL: one set of migrations for both databases, whose effect on
 * SQLite stays exactly what was released (the plugin is only added on PostgreSQL).
 *
 * @example
 * new Migrator({ db: db.withPlugin(postgresDdlPlugin()), provider });
 */
export function postgresDdlPlugin(): KyselyPlugin {
  const transformer = new PostgresDdlTransformer();
  return {
    transformQuery: (args: PluginTransformQueryArgs): RootOperationNode =>
      transformer.transformNode(args.node),
    transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
  };
}
