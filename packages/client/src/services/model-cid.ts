/** The DHT key of a model is part of the wire contract: it lives in the protocol package. */
export { modelCid } from '@cocoon-mesh/protocol'
