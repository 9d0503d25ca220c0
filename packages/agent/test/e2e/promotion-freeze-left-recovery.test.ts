/** The winner's agent frozen the first instant its Postgres leaves recovery (promotion-freeze.ts). */
import { promotionFreezeScenario } from './promotion-freeze.js';

promotionFreezeScenario('left-recovery');
