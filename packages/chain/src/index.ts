export {
  type DeployConfig,
  type Deployment,
  type DeployTributaryParameters,
  deployTributary,
  readDeployment,
  writeDeployment,
} from "./deploy.ts";
export {
  decryptKeystore,
  type EncryptKeystoreOptions,
  encryptKeystore,
  privateKeyFromEnv,
} from "./keystore.ts";
export { defineNetwork, getNetwork, type NetworkConfig, networks } from "./networks.ts";
export {
  type Anvil,
  anvilBinaryPath,
  freePort,
  isPortFree,
  type StartAnvilParameters,
  startAnvil,
} from "./startAnvil.ts";
