/**
 * The synced state: a projection of the engine state (written only by project.ts), never a second
 * model. Amounts travel as decimal strings (Colyseus numbers are floats). Hidden engine fields
 * (true quality, capability, miner skill, pending weights, signals) have no field here at all.
 */
import { ArraySchema, MapSchema, Schema, type, view } from "@colyseus/schema";

export class SubnetState extends Schema {
  @type("string") netuid = "";
  @type("string") name = "";
  @type("string") owner = "";
  @type("string") ownerName = "";
  @type("uint32") registeredRound = 0;
  @type("boolean") immune = false;
  /** Pool reserves as float64 counts of rao (shared/wire.ts): exact, and half the bytes of a string. */
  @type("float64") taoRao = 0;
  @type("float64") alphaRao = 0;
  /** The EMA the rule in force uses (the other one stays as it was): preview inputs, float32 is ample. */
  @type("float32") priceEma = 0;
  @type("float32") flowEma = 0;
  /** Net TAO flow this round (TAO), synced only under the flow rule, where previews need it. */
  @type("float64") flowThisRound = 0;
  @type("float32") emissionShare = 0;
  /** Public product traction (users), to the 3 significant digits it is shown with. */
  @type("float32") product = 0;
  @type("uint8") minerCount = 0;
  // No price history here: it would grow every subnet's round patch; a client gets the engine's
  // history once (the `history` message) and appends each close itself (shared/priceTape.ts).
}

/**
 * A person at the table. What everyone sees (name, role, presence, research split and the net
 * worth at the last round's close, for the leaderboard) is shared; the holdings travel only to
 * their owner (`@view()`: each client's StateView holds its own player), which keeps a trade's
 * patch small for the other 39 players of a class.
 */
export class PlayerState extends Schema {
  @type("string") id = "";
  @type("string") name = "";
  @type("string") role = "";
  @type("boolean") connected = false;
  @type("boolean") bot = false;
  /** Builder effort split (public: on chain you can see what a team ships). */
  @type("float32") research = 0.5;
  /** Spot net worth in TAO at the close of the last round (the leaderboard; float32 is ample to show it). */
  @type("float32") worth = 0;
  /** Acted (any accepted intent) in the current round: for the host's roster only. */
  @view() @type("boolean") acted = false;
  @view() @type("string") tao = "0";
  @view() @type("string") rootStake = "0";
  @view() @type({ map: "string" }) alpha = new MapSchema<string>();
  @view() @type("string") take = "";
}

export class ValidatorState extends Schema {
  @type("string") id = "";
  @type("string") name = "";
  @type("boolean") npc = true;
  @type("string") take = "0";
  /** Root TAO staked through it (own plus delegated), for display and choosing: 4 significant digits (it drifts every round). */
  @type("float32") rootStake = 0;
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
  /** TAO staked on root in all, through every validator (listed or not), 6 significant digits. */
  @type("float32") rootTotal = 0;
  @type({ map: SubnetState }) subnets = new MapSchema<SubnetState>();
  @type({ map: PlayerState }) players = new MapSchema<PlayerState>();
  /** People who validate, and the 16 NPC validators with the most root stake. */
  @type({ map: ValidatorState }) validators = new MapSchema<ValidatorState>();
  @type([EventState]) events = new ArraySchema<EventState>();
  @type(MetricsState) metrics = new MetricsState();
  @type(RulesState) rules = new RulesState();
}
