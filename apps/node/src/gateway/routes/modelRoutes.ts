import type { Hono } from "hono";
import { modelView } from "./modelView.ts";
import { parseBody } from "./parseBody.ts";
import type { GatewayRouteDeps } from "./routeDeps.ts";
import { modelBody } from "./schemas.ts";

/**
 * The model routes: `GET /v1/models` (anyone; OpenAI's list shape), `GET /v1/models/{id}` (anyone; OpenAI's model
 * object by name or on-chain id, deprecated ones too; 404 `model_not_found`) and `POST /v1/models` (operator:
 * registers an ∞-gram, external or local llama model on chain and serves it).
 *
 * @example
 * addModelRoutes(app, deps);
 */
export function addModelRoutes(app: Hono, { service, operator }: GatewayRouteDeps): void {
  app.post("/v1/models", operator, async (c) => {
    const body = await parseBody(
      c,
      modelBody,
      'Send { name, kind: "infinigram", datanetId, version (or trainedOn: [{ datanetId, version }, …]), pricing: { perCall, per1kOutputTokens, per1kInputTokens? }, split: { ownerBps, dataBps }, limits?: { maxInputTokens?, maxPromptBytes?, maxOutputTokens? } } or { name, kind: "external", upstream: { baseURL, model, apiKey? }, trainedOn: [{ datanetId, version }], pricing, split, limits? } or { name, kind: "llama", baseFile, adapterFile?, scale?, modelId?, trainedOn, pricing, split, limits? } (absolute paths on the node); amounts are decimal strings.',
    );
    const pricing = {
      perCall: BigInt(body.pricing.perCall),
      per1kOutputTokens: BigInt(body.pricing.per1kOutputTokens),
      per1kInputTokens: BigInt(body.pricing.per1kInputTokens ?? "0"),
    };
    const limits = body.limits
      ? {
          limits: Object.fromEntries(Object.entries(body.limits).filter(([, v]) => v !== undefined)),
        }
      : {};
    const trainedOn =
      "trainedOn" in body && body.trainedOn
        ? body.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version }))
        : [];
    const model =
      body.kind === "llama"
        ? await service.registerLlamaModel({
            name: body.name,
            baseFile: body.baseFile,
            ...(body.adapterFile ? { adapterFile: body.adapterFile } : {}),
            ...(body.scale !== undefined ? { scale: body.scale } : {}),
            ...(body.modelId ? { modelId: BigInt(body.modelId) } : {}),
            trainedOn,
            pricing,
            split: body.split,
            ...(body.metadataURI ? { metadataURI: body.metadataURI } : {}),
            ...limits,
          })
        : body.kind === "infinigram"
          ? await service.registerInfinigramModel({
              name: body.name,
              trainedOn: body.trainedOn
                ? body.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version }))
                : [{ datanetId: BigInt(body.datanetId as string | number), version: body.version as number }],
              pricing,
              split: body.split,
              ...(body.metadataURI ? { metadataURI: body.metadataURI } : {}),
              ...limits,
            })
          : await service.registerExternalModel({
              name: body.name,
              upstream: {
                baseURL: body.upstream.baseURL,
                model: body.upstream.model,
                ...(body.upstream.apiKey ? { apiKey: body.upstream.apiKey } : {}),
              },
              trainedOn: body.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version })),
              pricing,
              split: body.split,
              ...(body.metadataURI ? { metadataURI: body.metadataURI } : {}),
              ...limits,
            });
    return c.json(modelView(model), 201);
  });

  app.get("/v1/models", async (c) => {
    const models = await service.listModels();
    return c.json({ object: "list", data: models.map(modelView) });
  });

  // A name holding '/' ("org/model") is sent as %2F, as OpenAI clients encode path parameters.
  app.get("/v1/models/:id", async (c) => c.json(modelView(await service.findModel(c.req.param("id")))));
}
