/** The winner's agent frozen the moment the leader key names it (promotion-freeze.ts). */
import { promotionFreezeScenario } from './promotion-freeze.js';

promotionFreezeScenario('lock-won');
