import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { ApiError, type ApiErrorBody } from "./ApiError.ts";

/** Options of {@link createApp}. */
export type CreateAppParameters = {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Sub-apps to mount at the root, e.g. the attribution routes. */
  routes?: Hono[];
  /** Extra fields reported by `GET /health`. */
  health?: () => Record<string, unknown>;
};

/**
 * The node's HTTP app: one error shape for everything thrown, a body size limit, health, and the
 * domain routes mounted in. Tests call `app.request()` in process; `startHttp` serves it on a port.
 */
export function createApp(params: CreateAppParameters = {}): Hono {
  const app = new Hono();
  const maxBodyBytes = params.maxBodyBytes ?? 1024 * 1024;
  app.use(
    "*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new ApiError(
          413,
          "BODY_TOO_LARGE",
          `request body is larger than ${maxBodyBytes} bytes`,
          "Send a smaller body, or raise the node's http.maxBodyBytes.",
        );
      },
    }),
  );
  app.get("/health", (c) => c.json({ ok: true, ...(params.health?.() ?? {}) }));
  for (const routes of params.routes ?? []) app.route("/", routes);
  app.notFound((c) =>
    c.json<ApiErrorBody>(
      {
        error: {
          code: "NOT_FOUND",
          message: `no route ${c.req.method} ${c.req.path}`,
          hint: "Check the method and path against the routes listed in the README.",
        },
      },
      404,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json<ApiErrorBody>(
        { error: { code: error.code, message: error.message, hint: error.hint } },
        error.status,
      );
    }
    if (error instanceof HTTPException) {
      return c.json<ApiErrorBody>(
        {
          error: {
            code: "HTTP_ERROR",
            message: error.message || "request refused",
            hint: "Check the request against the API reference.",
          },
        },
        error.status as 400,
      );
    }
    console.error(error);
    return c.json<ApiErrorBody>(
      {
        error: {
          code: "INTERNAL",
          message: "the node failed to handle this request",
          hint: "Retry; if it persists, check the node's logs.",
        },
      },
      500,
    );
  });
  return app;
}
