import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLineage, getModel, getModelCount, getTrainedOn, getVersion } from "@tributary/sdk";
import { LlamaCompletion } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../api/createApp.ts";
import type { TributaryNode } from "../createNode.ts";
import { type PublishFixture, setupPublishFixture } from "../datanets/publish/testing/publishFixture.ts";
import { createVersionRoutes } from "../datanets/versions/createVersionRoutes.ts";
import { createTrainingRoutes } from "./createTrainingRoutes.ts";
import { createTrainingService, type TrainingService } from "./createTrainingService.ts";
import type { TrainingJobView } from "./schemas.ts";
import { mobyDickDocuments } from "./testing/corpus.ts";
import { waitForJob } from "./testing/waitForJob.ts";
import { cpuLlama } from "./tokenizeDocuments.ts";

type ErrorBody = { error: { code: string; message: string; hint: string } };

const TINY = { nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 172, nCtxTrain: 128 };

describe("training jobs on anvil", () => {
  let f: PublishFixture;
  let node: TributaryNode;
  let service: TrainingService;
  let dataDir: string;
  let datanetId: bigint;
  let tinyJob: TrainingJobView;

  const start = async (trainer?: string[]) => {
    node = await f.startNode(dataDir, {
      routes: [
        createVersionRoutes,
        (ctx) => {
          service = createTrainingService(ctx, { pollMs: 100, ...(trainer ? { trainer } : {}) });
          return createTrainingRoutes(ctx, { service });
        },
      ],
    });
  };
  const restart = async () => {
    await service.stop();
    await node.stop();
    await start();
  };
  const post = async (path: string, body: unknown) => {
    const res = await node.app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as TrainingJobView & ErrorBody };
  };
  const jobCount = async () =>
    Number(
      (
        await node.db
          .selectFrom("training_jobs")
          .select((e) => e.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    f = await setupPublishFixture();
    dataDir = mkdtempSync(join(tmpdir(), "training-"));
    datanetId = await f.createDatanet();
    const ids = await f.contribute(dataDir, datanetId, 7, mobyDickDocuments(12_000));
    await start();
    await f.review(
      datanetId,
      ids.map((id) => [id, "accept"]),
    );
    const published = await node.app.request(`/v1/datanets/${datanetId}/versions`, { method: "POST" });
    expect(published.status, await published.clone().text()).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await node?.stop();
    await f?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("trains a tiny base from scratch (full), registers it with its lineage", async () => {
    const res = await post("/v1/training/jobs", {
      base: "tiny",
      method: "full",
      tiny: TINY,
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      seq: 64,
      batch: 8,
      epochs: 100,
      maxSteps: 60,
      lr: 0.005,
      name: "tiny-test",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.state).toBe("queued");
    tinyJob = await waitForJob(service, res.body.id);
    expect(tinyJob.error).toBeNull();
    expect(tinyJob.state).toBe("done");
    expect(tinyJob.progress).toMatchObject({ step: 60, steps: 60 });
    // It learned something: the loss of the last steps is well under the first step's (ln 400 ≈ 6).
    expect(tinyJob.progress.loss!).toBeLessThan(tinyJob.progress.firstLoss! - 1);
    expect(tinyJob.progress.tokensPerSecond!).toBeGreaterThan(0);

    const sdk = node.ctx.chain!.sdk;
    const modelId = BigInt(tinyJob.modelId!);
    const model = await getModel(sdk, { modelId });
    expect(model.artifactHash).toBe(tinyJob.artifact!.sha256);
    expect(model.metadataURI).toBe(tinyJob.metadataURI);
    expect(model.baseModel).toBe(`tiny-llama@sha256:${tinyJob.base.sha256!.slice(2)}`);
    expect(await getTrainedOn(sdk, { modelId })).toEqual([{ datanetId, version: 1n }]);
    expect(await getLineage(sdk, { modelId, version: 1n })).toEqual({
      baseModelHash: tinyJob.base.sha256,
      configHash: tinyJob.configHash,
    });
    // The model card names the trained-on version's root (as DatanetRegistry has it) and the hashes.
    const card = JSON.parse(
      new TextDecoder().decode(await node.ctx.store.get(tinyJob.metadataURI!.slice("ipfs://".length))),
    ) as { trainedOn: { contributionsRoot: string }[]; configHash: string; artifact: { sha256: string } };
    const v = await getVersion(sdk, { datanetId, version: 1n });
    expect(card.trainedOn[0]!.contributionsRoot).toBe(v.contributionsRoot.toLowerCase());
    expect(card.configHash).toBe(tinyJob.configHash);
    // A whole model is served on its own.
    const served = await node.db
      .selectFrom("models")
      .selectAll()
      .where("name", "=", "tiny-test")
      .executeTakeFirst();
    expect(served).toMatchObject({ model_id: Number(modelId), kind: "llama" });
    expect(JSON.parse(served!.llama!)).toMatchObject({ baseSha256: tinyJob.artifact!.sha256!.slice(2) });
    // The artifact route serves the model.
    const art = await node.app.request(`/v1/training/jobs/${tinyJob.id}/artifact`);
    expect(art.status).toBe(200);
    expect(
      Buffer.from(await art.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe("GGUF");
  }, 180_000);

  it("trains a LoRA adapter on the tiny base; the adapter loads in llama.cpp and changes its output", async () => {
    const res = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      method: "lora",
      rank: 4,
      trainedOn: [{ datanetId: Number(datanetId), version: 1 }],
      seq: 64,
      maxSteps: 30,
      lr: 0.01,
      name: "tiny-lora",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const job = await waitForJob(service, res.body.id);
    expect(job.error).toBeNull();
    expect(job.state).toBe("done");
    expect(job.base.sha256).toBe(tinyJob.artifact!.sha256);
    const sdk = node.ctx.chain!.sdk;
    const modelId = BigInt(job.modelId!);
    expect((await getModel(sdk, { modelId })).artifactHash).toBe(job.artifact!.sha256);
    expect((await getLineage(sdk, { modelId, version: 1n })).baseModelHash).toBe(tinyJob.artifact!.sha256);
    // Served on this node at once: the adapter on the base it was trained on, under the requested name.
    const served = await node.db
      .selectFrom("models")
      .selectAll()
      .where("name", "=", "tiny-lora")
      .executeTakeFirst();
    expect(served).toMatchObject({ model_id: Number(modelId), kind: "llama" });
    expect(JSON.parse(served!.llama!)).toMatchObject({
      baseSha256: tinyJob.artifact!.sha256!.slice(2),
      adapterSha256: job.artifact!.sha256!.slice(2),
    });

    const dir = mkdtempSync(join(tmpdir(), "training-llama-"));
    try {
      writeFileSync(join(dir, "base.gguf"), (await node.ctx.store.get(tinyJob.artifact!.cid))!);
      writeFileSync(join(dir, "lora.gguf"), (await node.ctx.store.get(job.artifact!.cid))!);
      const model = await (await cpuLlama()).loadModel({ modelPath: join(dir, "base.gguf") });
      const run = async (lora?: string) => {
        const ctx = await model.createContext({
          contextSize: 128,
          threads: 2,
          ...(lora ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}),
        });
        const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
        const out = await completion.generateCompletion("The whale", { maxTokens: 24, temperature: 0 });
        await ctx.dispose();
        return out;
      };
      const plain = await run();
      const adapted = await run(join(dir, "lora.gguf"));
      expect(adapted.length).toBeGreaterThan(0);
      expect(adapted).not.toBe(plain);
      await model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("a node stopped mid-training resumes the job from the trainer's checkpoint and registers once", async () => {
    const res = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      method: "lora",
      rank: 2,
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      seq: 64,
      epochs: 100,
      maxSteps: 80,
      name: "resumed-lora",
    });
    expect(res.status).toBe(202);
    const id = res.body.id;
    const mid = await waitForJob(service, id, (j) => j.progress.step >= 25);
    expect(mid.state).toBe("training");
    await restart();
    const after = await service.get(id);
    expect(after.state).toBe("training");
    expect(existsSync(join(dataDir, "training", id, "checkpoint.pt"))).toBe(true);
    const job = await waitForJob(service, id);
    expect(job.state).toBe("done");
    expect(job.trainerRuns).toBe(2);
    expect(job.progress.step).toBe(80);
    // The resumed run kept the steps before the checkpoint (progress.jsonl has each step once).
    const steps = readFileSync(join(dataDir, "training", id, "progress.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));

    // A crash after the registration transaction but before the job recorded it: the job finds the model.
    const sdk = node.ctx.chain!.sdk;
    const count = await getModelCount(sdk);
    await node.db
      .updateTable("training_jobs")
      .set({ state: "registering", model_id: null, lineage_recorded: 0, finished_at: null })
      .where("id", "=", id)
      .execute();
    await restart();
    const again = await waitForJob(service, id);
    expect(again.state).toBe("done");
    expect(again.modelId).toBe(job.modelId);
    expect(await getModelCount(sdk)).toBe(count);
  }, 240_000);

  it("a trainer killed from outside (SIGKILL) is started again and resumes from its checkpoint", async () => {
    const res = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      method: "lora",
      rank: 2,
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      seq: 64,
      epochs: 100,
      maxSteps: 60,
    });
    const id = res.body.id;
    await waitForJob(service, id, (j) => j.progress.step >= 25);
    const workdir = join(dataDir, "training", id);
    const pids = readdirSync("/proc").filter((p) => {
      if (!/^[0-9]+$/.test(p)) return false;
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(workdir);
      } catch {
        return false;
      }
    });
    expect(pids).toHaveLength(1);
    process.kill(Number(pids[0]), "SIGKILL");
    const job = await waitForJob(service, id);
    expect(job.state).toBe("done");
    expect(job.trainerRuns).toBe(2);
    const steps = readFileSync(join(workdir, "progress.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Jobs are listed newest first, a page at a time.
    const page = await node.app.request("/v1/training/jobs?limit=2");
    const body = (await page.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(body.items.map((j) => j.id)[0]).toBe(id);
    expect(body.nextCursor).toBe("2");
    const next = (await (await node.app.request("/v1/training/jobs?limit=500&cursor=2")).json()) as {
      items: unknown[];
      nextCursor: string | null;
    };
    expect(next.items.length + 2).toBe(await jobCount());
    expect(next.nextCursor).toBeNull();
  }, 180_000);

  it("cancel kills the trainer and marks the job cancelled", async () => {
    const res = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      method: "lora",
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      seq: 64,
      epochs: 100,
      maxSteps: 5000,
    });
    const id = res.body.id;
    await waitForJob(service, id, (j) => j.progress.step >= 2);
    const cancelled = await post(`/v1/training/jobs/${id}/cancel`, "{}");
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: "cancelled", error: { code: "CANCELLED" } });
    await service.idle();
    const job = await service.get(id);
    expect(job.state).toBe("cancelled");
    expect(job.modelId).toBeNull();
    // The trainer is gone: no step is written after the cancel.
    const progress = join(dataDir, "training", id, "progress.jsonl");
    const atCancel = readFileSync(progress, "utf8").length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(progress, "utf8").length).toBe(atCancel);
    const again = await post(`/v1/training/jobs/${id}/cancel`, "{}");
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("TRAINING_JOB_FINISHED");
  }, 120_000);

  it("bad inputs get clear errors and create no job", async () => {
    const before = await jobCount();
    const trainedOn = [{ datanetId: datanetId.toString(), version: 1 }];
    const cases: [unknown, number, string, RegExp][] = [
      [
        { base: tinyJob.artifact!.cid, trainedOn: [{ datanetId: datanetId.toString(), version: 9 }] },
        404,
        "VERSION_NOT_FOUND",
        /version 9/,
      ],
      [{ base: join(dataDir, "nope.gguf"), trainedOn }, 404, "BASE_NOT_FOUND", /does not exist/],
      [
        { base: "bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", trainedOn },
        404,
        "BASE_NOT_FOUND",
        /content store/,
      ],
      [{ base: tinyJob.artifact!.cid, trainedOn, rank: 0 }, 400, "INVALID_REQUEST", /rank/],
      [{ base: tinyJob.artifact!.cid, trainedOn, rank: 4096 }, 400, "INVALID_REQUEST", /rank/],
      [{ base: "tiny", trainedOn, method: "lora" }, 400, "INVALID_REQUEST", /method/],
      [
        { base: tinyJob.artifact!.cid, trainedOn: [...trainedOn, ...trainedOn] },
        400,
        "DUPLICATE_TRAINED_ON",
        /twice/,
      ],
      [{ base: tinyJob.artifact!.cid, trainedOn: [] }, 400, "INVALID_REQUEST", /trainedOn/],
      [{ base: tinyJob.artifact!.cid, trainedOn, shell: "rm -rf /" }, 400, "INVALID_REQUEST", /shell/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await post("/v1/training/jobs", body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(`${res.body.error.message} ${JSON.stringify(res.body.error)}`).toMatch(message);
      expect(res.body.error.hint.length).toBeGreaterThan(10);
    }
    // A GGUF that is not a llama model, and a LoRA adapter, are refused as bases.
    const { writeGguf } = await import("@tributary/gguf");
    const notLlama = join(dataDir, "gpt2.gguf");
    writeFileSync(
      notLlama,
      writeGguf({
        metadata: [["general.architecture", { type: "string", value: "gpt2" }]],
        tensors: [{ name: "token_embd.weight", dims: [4, 4], type: "F32", data: new Float32Array(16) }],
      }),
    );
    const gpt2 = await post("/v1/training/jobs", { base: notLlama, trainedOn });
    expect(gpt2.status).toBe(422);
    expect(gpt2.body.error).toMatchObject({ code: "BASE_NOT_TRAINABLE" });
    expect(gpt2.body.error.message).toMatch(/gpt2, not llama/);
    const notGguf = join(dataDir, "text.gguf");
    writeFileSync(notGguf, "hello");
    expect((await post("/v1/training/jobs", { base: notGguf, trainedOn })).body.error.code).toBe(
      "BASE_NOT_GGUF",
    );
    const adapterBase = await post("/v1/training/jobs", {
      base: (await service.list(100)).find((j) => j.method === "lora" && j.artifact)!.artifact!.cid,
      trainedOn,
    });
    expect(adapterBase.body.error.code).toBe("BASE_NOT_TRAINABLE");
    // Oversized bodies and unknown jobs.
    const big = await post("/v1/training/jobs", { base: "x".repeat(100_000), trainedOn });
    expect(big.status).toBe(413);
    const unknown = await node.app.request("/v1/training/jobs/tj_0123456789abcdef");
    expect(unknown.status).toBe(404);
    const badId = await node.app.request("/v1/training/jobs/..%2F..%2Fetc");
    expect(badId.status).toBe(400);
    expect(await jobCount()).toBe(before);
  }, 60_000);

  it("a missing trainer (no Python or no PyTorch) fails at once, naming what to install", async () => {
    await service.stop();
    await node.stop();
    await start(["/nonexistent/python3", "/repo/trainer/train.py"]);
    const before = await jobCount();
    const res = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
    });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("TRAINER_UNAVAILABLE");
    expect(res.body.error.hint).toContain("apt-get install -y python3-torch libopenblas0-pthread");
    // /usr/bin/python3 exists but the "trainer" cannot import torch: same answer.
    await service.stop();
    await node.stop();
    await start(["/usr/bin/python3", "-c", "import sys; sys.exit(7)"]);
    const noTorch = await post("/v1/training/jobs", {
      base: tinyJob.artifact!.cid,
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
    });
    expect(noTorch.status).toBe(503);
    expect(noTorch.body.error.message).toMatch(/cannot import PyTorch/);
    expect(await jobCount()).toBe(before);
  }, 60_000);

  it("operator routes need the operator token", async () => {
    const app = createApp({
      routes: [
        createTrainingRoutes({ ...node.ctx, operatorToken: "secret" }, { service, resumeOnStart: false }),
      ],
      log: () => {},
    });
    for (const [method, path] of [
      ["POST", "/v1/training/jobs"],
      ["GET", "/v1/training/jobs"],
      ["GET", `/v1/training/jobs/${tinyJob.id}`],
      ["POST", `/v1/training/jobs/${tinyJob.id}/cancel`],
      ["GET", `/v1/training/jobs/${tinyJob.id}/artifact`],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    const ok = await app.request("/v1/training/jobs", { headers: { authorization: "Bearer secret" } });
    expect(ok.status).toBe(200);
  });
});
