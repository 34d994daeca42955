/** Names for generated subnets and NPCs (fictional; any likeness to real subnets is in the spirit only). */
export const SUBNET_NAMES = [
  "Cortex", "Nimbus", "Forge", "Lumen", "Atlas", "Vector", "Prism", "Quanta", "Helix", "Ember",
  "Orbit", "Sable", "Zephyr", "Tensor", "Mosaic", "Vertex", "Aurora", "Cipher", "Delta", "Echo",
  "Flux", "Glyph", "Harbor", "Ion", "Juniper", "Kepler", "Lattice", "Monad", "Nova", "Onyx",
  "Pulse", "Quill", "Relay", "Sigma", "Thorn", "Umbra", "Vesper", "Wisp", "Xenon", "Yarrow",
  "Zenith", "Arbor", "Beacon", "Cobalt", "Dune", "Eon", "Fable", "Grove", "Halo", "Iris",
  "Jade", "Kite", "Loom", "Mirth", "Nexus", "Opal", "Pylon", "Quartz", "Rune", "Spire",
  "Tide", "Unity", "Vale", "Warden",
];

export const VALIDATOR_NAMES = [
  "Bastion", "Citadel", "Keystone", "Meridian", "Palisade", "Rampart", "Sentinel", "Vanguard",
  "Aegis", "Bulwark", "Corbel", "Dolmen", "Embrasure", "Fortis", "Garrison", "Hearth",
];

export function subnetName(index: number): string {
  const base = SUBNET_NAMES[index % SUBNET_NAMES.length];
  const lap = Math.floor(index / SUBNET_NAMES.length);
  return lap === 0 ? base : `${base} ${lap + 1}`;
}

export function validatorName(index: number): string {
  return index < VALIDATOR_NAMES.length ? VALIDATOR_NAMES[index] : `Validator ${index + 1}`;
}
