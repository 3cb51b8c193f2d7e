export { RogueProvider } from './rogue-provider.js';
export type {
  RogueAccessTokenOptions,
  RogueAvailability,
  RogueIdTokenContext,
  RogueIdTokenPlan,
  RogueSigning,
} from './rogue-provider.types.js';
