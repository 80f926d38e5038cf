export { type CreateTrainingRoutesOptions, createTrainingRoutes } from "./createTrainingRoutes.ts";
export {
  type CreateTrainingServiceOptions,
  createTrainingService,
  type TrainingService,
} from "./createTrainingService.ts";
export { checkTrainableBase, MAX_BASE_BYTES, prepareBase } from "./prepareBase.ts";
export {
  TINY_DEFAULTS,
  TRAINING_LIMITS,
  type TrainingJobRequest,
  type TrainingJobView,
  tinyHparamsSchema,
  trainingJobBody,
  trainingJobView,
} from "./schemas.ts";
export { TrainingJobError } from "./TrainingJobError.ts";
export { cpuLlama, tokenizeDocuments } from "./tokenizeDocuments.ts";
export {
  checkTrainer,
  DEFAULT_TRAINER_SCRIPT,
  TRAINER_INSTALL_HINT,
  trainerCommand,
} from "./trainerCommand.ts";
export {
  type RunTrainerParameters,
  runTrainerInWorkdir,
  type TrainerDone,
  type TrainLoraOnParameters,
  type TrainTinyBaseParameters,
  trainLoraOn,
  trainTinyBase,
} from "./trainTinyBase.ts";
