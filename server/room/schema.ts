/**
 * The synced state: a projection of the engine state (written only by project.ts), never a second
 * model. Amounts travel as decimal strings (Colyseus numbers are floats). Hidden engine fields
 * (true quality, capability, miner skill, pending weights, signals) have no field here at all.
 */
import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

export class SubnetState extends Schema {
  @type("string") netuid = "";
  @type("string") name = "";
  @type("string") owner = "";
  @type("string") ownerName = "";
  @type("uint32") registeredRound = 0;
  @type("boolean") immune = false;
  @type("string") taoReserve = "0";
  @type("string") alphaReserve = "0";
  @type("string") alphaOut = "0";
  @type("string") price = "0";
  @type("string") priceEma = "0";
  @type("string") flowEma = "0";
  @type("string") flowThisRound = "0";
  @type("string") emissionShare = "0";
  @type("string") lastEmission = "0";
  /** Public product traction (users), a number for charts. */
  @type("float32") product = 0;
  @type("uint8") minerCount = 0;
  @type(["string"]) priceHistory = new ArraySchema<string>();
  /** Yuma consensus per miner uid from the last resolution. */
  @type(["float32"]) consensus = new ArraySchema<number>();
}

export class PlayerState extends Schema {
  @type("string") id = "";
  @type("string") name = "";
  @type("string") role = "";
  @type("boolean") connected = false;
  @type("boolean") bot = false;
  /** Acted (any accepted intent) in the current round. */
  @type("boolean") acted = false;
  @type("string") tao = "0";
  @type("string") rootStake = "0";
  @type({ map: "string" }) alpha = new MapSchema<string>();
  /** Spot net worth in TAO. */
  @type("string") netWorth = "0";
  @type("string") take = "";
  /** Builder effort split (public: on chain you can see what a team ships). */
  @type("float32") research = 0.5;
}

export class ValidatorState extends Schema {
  @type("string") id = "";
  @type("string") name = "";
  @type("boolean") npc = true;
  @type("string") take = "0";
  /** Root TAO staked through it (own plus delegated). */
  @type("string") rootStake = "0";
}

export class MetricsState extends Schema {
  @type("uint16") nakamoto = 0;
  @type("float32") hhi = 0;
  @type("float32") stakeGini = 0;
  @type("float32") qualityCorrelation = 0;
  @type("float32") speculativePremium = 0;
  @type("float32") researchShare = 0;
}

export class EventState extends Schema {
  @type("uint32") round = 0;
  @type("string") kind = "";
  @type("string") text = "";
}

/** The parameters the client's previews need (same shared functions as the server). */
export class RulesState extends Schema {
  @type("string") emissionRule = "";
  @type("string") excessRule = "";
  @type("string") rootPayout = "";
  @type("float64") priceEmaRate = 0;
  @type("float64") priceEmaHalvingRounds = 0;
  @type("float64") flowEmaRate = 0;
  @type("string") flowCutoff = "0";
  @type("string") poolFee = "0";
  @type("string") minPoolReserve = "0";
  @type("string") minStake = "0";
  @type("string") defaultTake = "0";
  @type("uint32") tempoBlocks = 0;
  @type("uint16") subnetLimit = 0;
  @type("uint16") immunityRounds = 0;
  @type("uint16") maxPlayers = 0;
}

export class ArenaState extends Schema {
  @type("string") code = "";
  @type("string") scenario = "";
  /** lobby | acting | resolving | ended */
  @type("string") phase = "lobby";
  @type("boolean") paused = false;
  @type("uint32") round = 0;
  @type("uint32") totalRounds = 0;
  /** Epoch ms when the current phase closes (0 when paused or open-ended). */
  @type("float64") deadline = 0;
  @type("float64") pausedRemainingMs = 0;
  @type("string") ruleset = "";
  @type("string") emissionRule = "";
  @type("string") lockCost = "0";
  @type("string") issuance = "0";
  @type("uint32") block = 0;
  @type({ map: SubnetState }) subnets = new MapSchema<SubnetState>();
  @type({ map: PlayerState }) players = new MapSchema<PlayerState>();
  @type({ map: ValidatorState }) validators = new MapSchema<ValidatorState>();
  @type([EventState]) events = new ArraySchema<EventState>();
  @type(MetricsState) metrics = new MetricsState();
  @type(RulesState) rules = new RulesState();
}
