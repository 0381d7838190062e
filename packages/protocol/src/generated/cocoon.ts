import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { writeUint64 } from '../uint64.js'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum JobKind {
  JOB_KIND_UNSPECIFIED = 'JOB_KIND_UNSPECIFIED',
  JOB_KIND_LLM = 'JOB_KIND_LLM',
  JOB_KIND_TENSOR = 'JOB_KIND_TENSOR',
  JOB_KIND_EMBEDDING = 'JOB_KIND_EMBEDDING'
}

enum __JobKindValues {
  JOB_KIND_UNSPECIFIED = 0,
  JOB_KIND_LLM = 1,
  JOB_KIND_TENSOR = 2,
  JOB_KIND_EMBEDDING = 3
}

export namespace JobKind {
  export const codec = (): Codec<JobKind> => {
    return enumeration<JobKind>(__JobKindValues)
  }
}

export enum TrustTier {
  TRUST_TIER_UNSPECIFIED = 'TRUST_TIER_UNSPECIFIED',
  TRUST_TIER_OPEN = 'TRUST_TIER_OPEN',
  TRUST_TIER_VERIFIED = 'TRUST_TIER_VERIFIED',
  TRUST_TIER_ATTESTED = 'TRUST_TIER_ATTESTED'
}

enum __TrustTierValues {
  TRUST_TIER_UNSPECIFIED = 0,
  TRUST_TIER_OPEN = 1,
  TRUST_TIER_VERIFIED = 2,
  TRUST_TIER_ATTESTED = 3
}

export namespace TrustTier {
  export const codec = (): Codec<TrustTier> => {
    return enumeration<TrustTier>(__TrustTierValues)
  }
}

export interface GpuInfo {
  model: string
  vramMb: number
  backend: string
}

export namespace GpuInfo {
  let _codec: Codec<GpuInfo>

  export const codec = (): Codec<GpuInfo> => {
    if (_codec == null) {
      _codec = message<GpuInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(10)
          w.string(obj.model)
        }

        if ((obj.vramMb != null && obj.vramMb !== 0)) {
          w.uint32(16)
          w.uint32(obj.vramMb)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(26)
          w.string(obj.backend)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          model: '',
          vramMb: 0,
          backend: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.model = reader.string()
              break
            }
            case 2: {
              obj.vramMb = reader.uint32()
              break
            }
            case 3: {
              obj.backend = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.vramMb`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GpuInfoModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface GpuInfoVramMbFieldEvent {
    field: '$.vramMb'
    value: number
  }

  export interface GpuInfoBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export function encode (obj: Partial<GpuInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GpuInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GpuInfo>): GpuInfo {
    return decodeMessage(buf, GpuInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GpuInfo>): Generator<GpuInfoModelFieldEvent | GpuInfoVramMbFieldEvent | GpuInfoBackendFieldEvent> {
    return streamMessage(buf, GpuInfo.codec(), opts)
  }
}

export interface Prices {
  perKPromptTokens: bigint
  perKCompletionTokens: bigint
  perTensorGflop: bigint
}

export namespace Prices {
  let _codec: Codec<Prices>

  export const codec = (): Codec<Prices> => {
    if (_codec == null) {
      _codec = message<Prices>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.perKPromptTokens != null && obj.perKPromptTokens !== 0n)) {
          w.uint32(8)
          writeUint64(w, obj.perKPromptTokens)
        }

        if ((obj.perKCompletionTokens != null && obj.perKCompletionTokens !== 0n)) {
          w.uint32(16)
          writeUint64(w, obj.perKCompletionTokens)
        }

        if ((obj.perTensorGflop != null && obj.perTensorGflop !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.perTensorGflop)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          perKPromptTokens: 0n,
          perKCompletionTokens: 0n,
          perTensorGflop: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.perKPromptTokens = reader.uint64()
              break
            }
            case 2: {
              obj.perKCompletionTokens = reader.uint64()
              break
            }
            case 3: {
              obj.perTensorGflop = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.perKPromptTokens`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.perKCompletionTokens`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.perTensorGflop`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PricesPerKPromptTokensFieldEvent {
    field: '$.perKPromptTokens'
    value: bigint
  }

  export interface PricesPerKCompletionTokensFieldEvent {
    field: '$.perKCompletionTokens'
    value: bigint
  }

  export interface PricesPerTensorGflopFieldEvent {
    field: '$.perTensorGflop'
    value: bigint
  }

  export function encode (obj: Partial<Prices>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Prices.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Prices>): Prices {
    return decodeMessage(buf, Prices.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Prices>): Generator<PricesPerKPromptTokensFieldEvent | PricesPerKCompletionTokensFieldEvent | PricesPerTensorGflopFieldEvent> {
    return streamMessage(buf, Prices.codec(), opts)
  }
}

export interface ModelPrices {
  model: string
  prices?: Prices
}

export namespace ModelPrices {
  let _codec: Codec<ModelPrices>

  export const codec = (): Codec<ModelPrices> => {
    if (_codec == null) {
      _codec = message<ModelPrices>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(10)
          w.string(obj.model)
        }

        if (obj.prices != null) {
          w.uint32(18)
          Prices.codec().encode(obj.prices, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          model: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.model = reader.string()
              break
            }
            case 2: {
              obj.prices = Prices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.prices
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * Prices.codec().stream(reader, reader.uint32(), `${prefix}.prices`, {
                limits: opts.limits?.prices
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ModelPricesModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface ModelPricesPricesPerKPromptTokensFieldEvent {
    field: '$.prices.perKPromptTokens'
    value: bigint
  }

  export interface ModelPricesPricesPerKCompletionTokensFieldEvent {
    field: '$.prices.perKCompletionTokens'
    value: bigint
  }

  export interface ModelPricesPricesPerTensorGflopFieldEvent {
    field: '$.prices.perTensorGflop'
    value: bigint
  }

  export function encode (obj: Partial<ModelPrices>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelPrices.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelPrices>): ModelPrices {
    return decodeMessage(buf, ModelPrices.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelPrices>): Generator<ModelPricesModelFieldEvent | ModelPricesPricesPerKPromptTokensFieldEvent | ModelPricesPricesPerKCompletionTokensFieldEvent | ModelPricesPricesPerTensorGflopFieldEvent> {
    return streamMessage(buf, ModelPrices.codec(), opts)
  }
}

export interface Offer {
  version: number
  provider: Uint8Array<ArrayBuffer>
  gpu?: GpuInfo
  jobKinds: string[]
  models: string[]
  prices?: Prices
  maxConcurrency: number
  region: string
  payoutAddress: string
  attestation: Uint8Array<ArrayBuffer>
  issuedAt: bigint
  expiresAt: bigint
  sequence: bigint
  trustTier: TrustTier
  tokensPerSecond: number
  gflops: number
  settlementKey: Uint8Array<ArrayBuffer>
  addrs: Uint8Array<ArrayBuffer>[]
  attestedPrices?: Prices
  features: string[]
  contextSize: number
  modelPrices: ModelPrices[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace Offer {
  let _codec: Codec<Offer>

  export const codec = (): Codec<Offer> => {
    if (_codec == null) {
      _codec = message<Offer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.provider != null && obj.provider.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.provider)
        }

        if (obj.gpu != null) {
          w.uint32(26)
          GpuInfo.codec().encode(obj.gpu, w)
        }

        if (obj.jobKinds != null && obj.jobKinds.length > 0) {
          for (const value of obj.jobKinds) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.models != null && obj.models.length > 0) {
          for (const value of obj.models) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.prices != null) {
          w.uint32(50)
          Prices.codec().encode(obj.prices, w)
        }

        if ((obj.maxConcurrency != null && obj.maxConcurrency !== 0)) {
          w.uint32(56)
          w.uint32(obj.maxConcurrency)
        }

        if ((obj.region != null && obj.region !== '')) {
          w.uint32(66)
          w.string(obj.region)
        }

        if ((obj.payoutAddress != null && obj.payoutAddress !== '')) {
          w.uint32(74)
          w.string(obj.payoutAddress)
        }

        if ((obj.attestation != null && obj.attestation.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.attestation)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(88)
          writeUint64(w, obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(96)
          writeUint64(w, obj.expiresAt)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(104)
          writeUint64(w, obj.sequence)
        }

        if (obj.trustTier != null && __TrustTierValues[obj.trustTier] !== 0) {
          w.uint32(112)
          TrustTier.codec().encode(obj.trustTier, w)
        }

        if ((obj.tokensPerSecond != null && obj.tokensPerSecond !== 0)) {
          w.uint32(121)
          w.double(obj.tokensPerSecond)
        }

        if ((obj.gflops != null && obj.gflops !== 0)) {
          w.uint32(129)
          w.double(obj.gflops)
        }

        if ((obj.settlementKey != null && obj.settlementKey.byteLength > 0)) {
          w.uint32(138)
          w.bytes(obj.settlementKey)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(146)
            w.bytes(value)
          }
        }

        if (obj.attestedPrices != null) {
          w.uint32(154)
          Prices.codec().encode(obj.attestedPrices, w)
        }

        if (obj.features != null && obj.features.length > 0) {
          for (const value of obj.features) {
            w.uint32(170)
            w.string(value)
          }
        }

        if ((obj.contextSize != null && obj.contextSize !== 0)) {
          w.uint32(176)
          w.uint32(obj.contextSize)
        }

        if (obj.modelPrices != null && obj.modelPrices.length > 0) {
          for (const value of obj.modelPrices) {
            w.uint32(186)
            ModelPrices.codec().encode(value, w)
          }
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(802)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          provider: uint8ArrayAlloc(0),
          jobKinds: [],
          models: [],
          maxConcurrency: 0,
          region: '',
          payoutAddress: '',
          attestation: uint8ArrayAlloc(0),
          issuedAt: 0n,
          expiresAt: 0n,
          sequence: 0n,
          trustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
          tokensPerSecond: 0,
          gflops: 0,
          settlementKey: uint8ArrayAlloc(0),
          addrs: [],
          features: [],
          contextSize: 0,
          modelPrices: [],
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.provider = reader.bytes()
              break
            }
            case 3: {
              obj.gpu = GpuInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.gpu
              })
              break
            }
            case 4: {
              if (opts.limits?.jobKinds != null && obj.jobKinds.length === opts.limits.jobKinds) {
                throw new MaxLengthError('Decode error - repeated field "jobKinds" had too many elements')
              }

              obj.jobKinds.push(reader.string())
              break
            }
            case 5: {
              if (opts.limits?.models != null && obj.models.length === opts.limits.models) {
                throw new MaxLengthError('Decode error - repeated field "models" had too many elements')
              }

              obj.models.push(reader.string())
              break
            }
            case 6: {
              obj.prices = Prices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.prices
              })
              break
            }
            case 7: {
              obj.maxConcurrency = reader.uint32()
              break
            }
            case 8: {
              obj.region = reader.string()
              break
            }
            case 9: {
              obj.payoutAddress = reader.string()
              break
            }
            case 10: {
              obj.attestation = reader.bytes()
              break
            }
            case 11: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 12: {
              obj.expiresAt = reader.uint64()
              break
            }
            case 13: {
              obj.sequence = reader.uint64()
              break
            }
            case 14: {
              obj.trustTier = TrustTier.codec().decode(reader)
              break
            }
            case 15: {
              obj.tokensPerSecond = reader.double()
              break
            }
            case 16: {
              obj.gflops = reader.double()
              break
            }
            case 17: {
              obj.settlementKey = reader.bytes()
              break
            }
            case 18: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 19: {
              obj.attestedPrices = Prices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attestedPrices
              })
              break
            }
            case 21: {
              if (opts.limits?.features != null && obj.features.length === opts.limits.features) {
                throw new MaxLengthError('Decode error - repeated field "features" had too many elements')
              }

              obj.features.push(reader.string())
              break
            }
            case 22: {
              obj.contextSize = reader.uint32()
              break
            }
            case 23: {
              if (opts.limits?.modelPrices != null && obj.modelPrices.length === opts.limits.modelPrices) {
                throw new MaxLengthError('Decode error - repeated field "modelPrices" had too many elements')
              }

              obj.modelPrices.push(ModelPrices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.modelPrices$
              }))
              break
            }
            case 100: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          jobKinds: 0,
          models: 0,
          addrs: 0,
          features: 0,
          modelPrices: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.provider`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * GpuInfo.codec().stream(reader, reader.uint32(), `${prefix}.gpu`, {
                limits: opts.limits?.gpu
              })

              break
            }
            case 4: {
              if (opts.limits?.jobKinds != null && obj.jobKinds === opts.limits.jobKinds) {
                throw new MaxLengthError('Streaming decode error - repeated field "jobKinds" had too many elements')
              }

              yield {
                field: `${prefix}.jobKinds[]`,
                index: obj.jobKinds,
                value: reader.string()
              }

              obj.jobKinds++

              break
            }
            case 5: {
              if (opts.limits?.models != null && obj.models === opts.limits.models) {
                throw new MaxLengthError('Streaming decode error - repeated field "models" had too many elements')
              }

              yield {
                field: `${prefix}.models[]`,
                index: obj.models,
                value: reader.string()
              }

              obj.models++

              break
            }
            case 6: {
              yield * Prices.codec().stream(reader, reader.uint32(), `${prefix}.prices`, {
                limits: opts.limits?.prices
              })

              break
            }
            case 7: {
              yield {
                field: `${prefix}.maxConcurrency`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.region`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.payoutAddress`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.attestation`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.trustTier`,
                value: TrustTier.codec().decode(reader)
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.tokensPerSecond`,
                value: reader.double()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.gflops`,
                value: reader.double()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.settlementKey`,
                value: reader.bytes()
              }
              break
            }
            case 18: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 19: {
              yield * Prices.codec().stream(reader, reader.uint32(), `${prefix}.attestedPrices`, {
                limits: opts.limits?.attestedPrices
              })

              break
            }
            case 21: {
              if (opts.limits?.features != null && obj.features === opts.limits.features) {
                throw new MaxLengthError('Streaming decode error - repeated field "features" had too many elements')
              }

              yield {
                field: `${prefix}.features[]`,
                index: obj.features,
                value: reader.string()
              }

              obj.features++

              break
            }
            case 22: {
              yield {
                field: `${prefix}.contextSize`,
                value: reader.uint32()
              }
              break
            }
            case 23: {
              if (opts.limits?.modelPrices != null && obj.modelPrices === opts.limits.modelPrices) {
                throw new MaxLengthError('Streaming decode error - repeated field "modelPrices" had too many elements')
              }

              for (const evt of ModelPrices.codec().stream(reader, reader.uint32(), `${prefix}.modelPrices[]`, {
                limits: opts.limits?.modelPrices$
              })) {
                yield {
                  ...evt,
                  index: obj.modelPrices
                }
              }

              obj.modelPrices++

              break
            }
            case 100: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfferVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface OfferProviderFieldEvent {
    field: '$.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferGpuModelFieldEvent {
    field: '$.gpu.model'
    value: string
  }

  export interface OfferGpuVramMbFieldEvent {
    field: '$.gpu.vramMb'
    value: number
  }

  export interface OfferGpuBackendFieldEvent {
    field: '$.gpu.backend'
    value: string
  }

  export interface OfferJobKindsFieldEvent {
    field: '$.jobKinds[]'
    index: number
    value: string
  }

  export interface OfferModelsFieldEvent {
    field: '$.models[]'
    index: number
    value: string
  }

  export interface OfferPricesPerKPromptTokensFieldEvent {
    field: '$.prices.perKPromptTokens'
    value: bigint
  }

  export interface OfferPricesPerKCompletionTokensFieldEvent {
    field: '$.prices.perKCompletionTokens'
    value: bigint
  }

  export interface OfferPricesPerTensorGflopFieldEvent {
    field: '$.prices.perTensorGflop'
    value: bigint
  }

  export interface OfferMaxConcurrencyFieldEvent {
    field: '$.maxConcurrency'
    value: number
  }

  export interface OfferRegionFieldEvent {
    field: '$.region'
    value: string
  }

  export interface OfferPayoutAddressFieldEvent {
    field: '$.payoutAddress'
    value: string
  }

  export interface OfferAttestationFieldEvent {
    field: '$.attestation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface OfferExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export interface OfferSequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface OfferTrustTierFieldEvent {
    field: '$.trustTier'
    value: TrustTier
  }

  export interface OfferTokensPerSecondFieldEvent {
    field: '$.tokensPerSecond'
    value: number
  }

  export interface OfferGflopsFieldEvent {
    field: '$.gflops'
    value: number
  }

  export interface OfferSettlementKeyFieldEvent {
    field: '$.settlementKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferAttestedPricesPerKPromptTokensFieldEvent {
    field: '$.attestedPrices.perKPromptTokens'
    value: bigint
  }

  export interface OfferAttestedPricesPerKCompletionTokensFieldEvent {
    field: '$.attestedPrices.perKCompletionTokens'
    value: bigint
  }

  export interface OfferAttestedPricesPerTensorGflopFieldEvent {
    field: '$.attestedPrices.perTensorGflop'
    value: bigint
  }

  export interface OfferFeaturesFieldEvent {
    field: '$.features[]'
    index: number
    value: string
  }

  export interface OfferContextSizeFieldEvent {
    field: '$.contextSize'
    value: number
  }

  export interface OfferModelPricesModelFieldEvent {
    field: '$.modelPrices[].model'
    value: string
    index: number
  }

  export interface OfferModelPricesPricesPerKPromptTokensFieldEvent {
    field: '$.modelPrices[].prices.perKPromptTokens'
    value: bigint
    index: number
  }

  export interface OfferModelPricesPricesPerKCompletionTokensFieldEvent {
    field: '$.modelPrices[].prices.perKCompletionTokens'
    value: bigint
    index: number
  }

  export interface OfferModelPricesPricesPerTensorGflopFieldEvent {
    field: '$.modelPrices[].prices.perTensorGflop'
    value: bigint
    index: number
  }

  export interface OfferSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Offer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Offer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Offer {
    return decodeMessage(buf, Offer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Generator<OfferVersionFieldEvent | OfferProviderFieldEvent | OfferGpuModelFieldEvent | OfferGpuVramMbFieldEvent | OfferGpuBackendFieldEvent | OfferJobKindsFieldEvent | OfferModelsFieldEvent | OfferPricesPerKPromptTokensFieldEvent | OfferPricesPerKCompletionTokensFieldEvent | OfferPricesPerTensorGflopFieldEvent | OfferMaxConcurrencyFieldEvent | OfferRegionFieldEvent | OfferPayoutAddressFieldEvent | OfferAttestationFieldEvent | OfferIssuedAtFieldEvent | OfferExpiresAtFieldEvent | OfferSequenceFieldEvent | OfferTrustTierFieldEvent | OfferTokensPerSecondFieldEvent | OfferGflopsFieldEvent | OfferSettlementKeyFieldEvent | OfferAddrsFieldEvent | OfferAttestedPricesPerKPromptTokensFieldEvent | OfferAttestedPricesPerKCompletionTokensFieldEvent | OfferAttestedPricesPerTensorGflopFieldEvent | OfferFeaturesFieldEvent | OfferContextSizeFieldEvent | OfferModelPricesModelFieldEvent | OfferModelPricesPricesPerKPromptTokensFieldEvent | OfferModelPricesPricesPerKCompletionTokensFieldEvent | OfferModelPricesPricesPerTensorGflopFieldEvent | OfferSignatureFieldEvent> {
    return streamMessage(buf, Offer.codec(), opts)
  }
}

export interface OfferCancel {
  version: number
  provider: Uint8Array<ArrayBuffer>
  sequence: bigint
  issuedAt: bigint
  signature: Uint8Array<ArrayBuffer>
}

export namespace OfferCancel {
  let _codec: Codec<OfferCancel>

  export const codec = (): Codec<OfferCancel> => {
    if (_codec == null) {
      _codec = message<OfferCancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.provider != null && obj.provider.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.provider)
        }

        if ((obj.sequence != null && obj.sequence !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.sequence)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(32)
          writeUint64(w, obj.issuedAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(802)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          provider: uint8ArrayAlloc(0),
          sequence: 0n,
          issuedAt: 0n,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.provider = reader.bytes()
              break
            }
            case 3: {
              obj.sequence = reader.uint64()
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 100: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.provider`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 100: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfferCancelVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface OfferCancelProviderFieldEvent {
    field: '$.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferCancelSequenceFieldEvent {
    field: '$.sequence'
    value: bigint
  }

  export interface OfferCancelIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface OfferCancelSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OfferCancel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfferCancel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferCancel>): OfferCancel {
    return decodeMessage(buf, OfferCancel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferCancel>): Generator<OfferCancelVersionFieldEvent | OfferCancelProviderFieldEvent | OfferCancelSequenceFieldEvent | OfferCancelIssuedAtFieldEvent | OfferCancelSignatureFieldEvent> {
    return streamMessage(buf, OfferCancel.codec(), opts)
  }
}

export interface OrderBookMessage {
  offer?: Offer
  cancel?: OfferCancel
}

export namespace OrderBookMessage {
  let _codec: Codec<OrderBookMessage>

  export const codec = (): Codec<OrderBookMessage> => {
    if (_codec == null) {
      _codec = message<OrderBookMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.offer != null) {
          w.uint32(10)
          Offer.codec().encode(obj.offer, w)
        }

        if (obj.cancel != null) {
          w.uint32(18)
          OfferCancel.codec().encode(obj.cancel, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.offer = Offer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offer
              })
              break
            }
            case 2: {
              obj.cancel = OfferCancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Offer.codec().stream(reader, reader.uint32(), `${prefix}.offer`, {
                limits: opts.limits?.offer
              })

              break
            }
            case 2: {
              yield * OfferCancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OrderBookMessageOfferVersionFieldEvent {
    field: '$.offer.version'
    value: number
  }

  export interface OrderBookMessageOfferProviderFieldEvent {
    field: '$.offer.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageOfferGpuModelFieldEvent {
    field: '$.offer.gpu.model'
    value: string
  }

  export interface OrderBookMessageOfferGpuVramMbFieldEvent {
    field: '$.offer.gpu.vramMb'
    value: number
  }

  export interface OrderBookMessageOfferGpuBackendFieldEvent {
    field: '$.offer.gpu.backend'
    value: string
  }

  export interface OrderBookMessageOfferJobKindsFieldEvent {
    field: '$.offer.jobKinds[]'
    index: number
    value: string
  }

  export interface OrderBookMessageOfferModelsFieldEvent {
    field: '$.offer.models[]'
    index: number
    value: string
  }

  export interface OrderBookMessageOfferPricesPerKPromptTokensFieldEvent {
    field: '$.offer.prices.perKPromptTokens'
    value: bigint
  }

  export interface OrderBookMessageOfferPricesPerKCompletionTokensFieldEvent {
    field: '$.offer.prices.perKCompletionTokens'
    value: bigint
  }

  export interface OrderBookMessageOfferPricesPerTensorGflopFieldEvent {
    field: '$.offer.prices.perTensorGflop'
    value: bigint
  }

  export interface OrderBookMessageOfferMaxConcurrencyFieldEvent {
    field: '$.offer.maxConcurrency'
    value: number
  }

  export interface OrderBookMessageOfferRegionFieldEvent {
    field: '$.offer.region'
    value: string
  }

  export interface OrderBookMessageOfferPayoutAddressFieldEvent {
    field: '$.offer.payoutAddress'
    value: string
  }

  export interface OrderBookMessageOfferAttestationFieldEvent {
    field: '$.offer.attestation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageOfferIssuedAtFieldEvent {
    field: '$.offer.issuedAt'
    value: bigint
  }

  export interface OrderBookMessageOfferExpiresAtFieldEvent {
    field: '$.offer.expiresAt'
    value: bigint
  }

  export interface OrderBookMessageOfferSequenceFieldEvent {
    field: '$.offer.sequence'
    value: bigint
  }

  export interface OrderBookMessageOfferTrustTierFieldEvent {
    field: '$.offer.trustTier'
    value: TrustTier
  }

  export interface OrderBookMessageOfferTokensPerSecondFieldEvent {
    field: '$.offer.tokensPerSecond'
    value: number
  }

  export interface OrderBookMessageOfferGflopsFieldEvent {
    field: '$.offer.gflops'
    value: number
  }

  export interface OrderBookMessageOfferSettlementKeyFieldEvent {
    field: '$.offer.settlementKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageOfferAddrsFieldEvent {
    field: '$.offer.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageOfferAttestedPricesPerKPromptTokensFieldEvent {
    field: '$.offer.attestedPrices.perKPromptTokens'
    value: bigint
  }

  export interface OrderBookMessageOfferAttestedPricesPerKCompletionTokensFieldEvent {
    field: '$.offer.attestedPrices.perKCompletionTokens'
    value: bigint
  }

  export interface OrderBookMessageOfferAttestedPricesPerTensorGflopFieldEvent {
    field: '$.offer.attestedPrices.perTensorGflop'
    value: bigint
  }

  export interface OrderBookMessageOfferFeaturesFieldEvent {
    field: '$.offer.features[]'
    index: number
    value: string
  }

  export interface OrderBookMessageOfferContextSizeFieldEvent {
    field: '$.offer.contextSize'
    value: number
  }

  export interface OrderBookMessageOfferModelPricesModelFieldEvent {
    field: '$.offer.modelPrices[].model'
    value: string
    index: number
  }

  export interface OrderBookMessageOfferModelPricesPricesPerKPromptTokensFieldEvent {
    field: '$.offer.modelPrices[].prices.perKPromptTokens'
    value: bigint
    index: number
  }

  export interface OrderBookMessageOfferModelPricesPricesPerKCompletionTokensFieldEvent {
    field: '$.offer.modelPrices[].prices.perKCompletionTokens'
    value: bigint
    index: number
  }

  export interface OrderBookMessageOfferModelPricesPricesPerTensorGflopFieldEvent {
    field: '$.offer.modelPrices[].prices.perTensorGflop'
    value: bigint
    index: number
  }

  export interface OrderBookMessageOfferSignatureFieldEvent {
    field: '$.offer.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageCancelVersionFieldEvent {
    field: '$.cancel.version'
    value: number
  }

  export interface OrderBookMessageCancelProviderFieldEvent {
    field: '$.cancel.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OrderBookMessageCancelSequenceFieldEvent {
    field: '$.cancel.sequence'
    value: bigint
  }

  export interface OrderBookMessageCancelIssuedAtFieldEvent {
    field: '$.cancel.issuedAt'
    value: bigint
  }

  export interface OrderBookMessageCancelSignatureFieldEvent {
    field: '$.cancel.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OrderBookMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OrderBookMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OrderBookMessage>): OrderBookMessage {
    return decodeMessage(buf, OrderBookMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OrderBookMessage>): Generator<OrderBookMessageOfferVersionFieldEvent | OrderBookMessageOfferProviderFieldEvent | OrderBookMessageOfferGpuModelFieldEvent | OrderBookMessageOfferGpuVramMbFieldEvent | OrderBookMessageOfferGpuBackendFieldEvent | OrderBookMessageOfferJobKindsFieldEvent | OrderBookMessageOfferModelsFieldEvent | OrderBookMessageOfferPricesPerKPromptTokensFieldEvent | OrderBookMessageOfferPricesPerKCompletionTokensFieldEvent | OrderBookMessageOfferPricesPerTensorGflopFieldEvent | OrderBookMessageOfferMaxConcurrencyFieldEvent | OrderBookMessageOfferRegionFieldEvent | OrderBookMessageOfferPayoutAddressFieldEvent | OrderBookMessageOfferAttestationFieldEvent | OrderBookMessageOfferIssuedAtFieldEvent | OrderBookMessageOfferExpiresAtFieldEvent | OrderBookMessageOfferSequenceFieldEvent | OrderBookMessageOfferTrustTierFieldEvent | OrderBookMessageOfferTokensPerSecondFieldEvent | OrderBookMessageOfferGflopsFieldEvent | OrderBookMessageOfferSettlementKeyFieldEvent | OrderBookMessageOfferAddrsFieldEvent | OrderBookMessageOfferAttestedPricesPerKPromptTokensFieldEvent | OrderBookMessageOfferAttestedPricesPerKCompletionTokensFieldEvent | OrderBookMessageOfferAttestedPricesPerTensorGflopFieldEvent | OrderBookMessageOfferFeaturesFieldEvent | OrderBookMessageOfferContextSizeFieldEvent | OrderBookMessageOfferModelPricesModelFieldEvent | OrderBookMessageOfferModelPricesPricesPerKPromptTokensFieldEvent | OrderBookMessageOfferModelPricesPricesPerKCompletionTokensFieldEvent | OrderBookMessageOfferModelPricesPricesPerTensorGflopFieldEvent | OrderBookMessageOfferSignatureFieldEvent | OrderBookMessageCancelVersionFieldEvent | OrderBookMessageCancelProviderFieldEvent | OrderBookMessageCancelSequenceFieldEvent | OrderBookMessageCancelIssuedAtFieldEvent | OrderBookMessageCancelSignatureFieldEvent> {
    return streamMessage(buf, OrderBookMessage.codec(), opts)
  }
}

export interface ChatMessage {
  role: string
  content: string
  toolCalls: ToolCall[]
  toolCallId: string
}

export namespace ChatMessage {
  let _codec: Codec<ChatMessage>

  export const codec = (): Codec<ChatMessage> => {
    if (_codec == null) {
      _codec = message<ChatMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(10)
          w.string(obj.role)
        }

        if ((obj.content != null && obj.content !== '')) {
          w.uint32(18)
          w.string(obj.content)
        }

        if (obj.toolCalls != null && obj.toolCalls.length > 0) {
          for (const value of obj.toolCalls) {
            w.uint32(26)
            ToolCall.codec().encode(value, w)
          }
        }

        if ((obj.toolCallId != null && obj.toolCallId !== '')) {
          w.uint32(34)
          w.string(obj.toolCallId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          role: '',
          content: '',
          toolCalls: [],
          toolCallId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.role = reader.string()
              break
            }
            case 2: {
              obj.content = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.toolCalls != null && obj.toolCalls.length === opts.limits.toolCalls) {
                throw new MaxLengthError('Decode error - repeated field "toolCalls" had too many elements')
              }

              obj.toolCalls.push(ToolCall.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toolCalls$
              }))
              break
            }
            case 4: {
              obj.toolCallId = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          toolCalls: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.content`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.toolCalls != null && obj.toolCalls === opts.limits.toolCalls) {
                throw new MaxLengthError('Streaming decode error - repeated field "toolCalls" had too many elements')
              }

              for (const evt of ToolCall.codec().stream(reader, reader.uint32(), `${prefix}.toolCalls[]`, {
                limits: opts.limits?.toolCalls$
              })) {
                yield {
                  ...evt,
                  index: obj.toolCalls
                }
              }

              obj.toolCalls++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.toolCallId`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChatMessageRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface ChatMessageContentFieldEvent {
    field: '$.content'
    value: string
  }

  export interface ChatMessageToolCallsIdFieldEvent {
    field: '$.toolCalls[].id'
    value: string
    index: number
  }

  export interface ChatMessageToolCallsNameFieldEvent {
    field: '$.toolCalls[].name'
    value: string
    index: number
  }

  export interface ChatMessageToolCallsArgumentsFieldEvent {
    field: '$.toolCalls[].arguments'
    value: string
    index: number
  }

  export interface ChatMessageToolCallIdFieldEvent {
    field: '$.toolCallId'
    value: string
  }

  export function encode (obj: Partial<ChatMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): ChatMessage {
    return decodeMessage(buf, ChatMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): Generator<ChatMessageRoleFieldEvent | ChatMessageContentFieldEvent | ChatMessageToolCallsIdFieldEvent | ChatMessageToolCallsNameFieldEvent | ChatMessageToolCallsArgumentsFieldEvent | ChatMessageToolCallIdFieldEvent> {
    return streamMessage(buf, ChatMessage.codec(), opts)
  }
}

export interface LlmParams {
  prompt: string
  messages: ChatMessage[]
  maxTokens: number
  temperature: number
  seed: number
  continuation: string
  stop: string[]
  topP: number
  presencePenalty: number
  frequencyPenalty: number
  constraint?: OutputConstraint
  tools: ToolFunction[]
  toolChoice: string
  toolChoiceName: string
}

export namespace LlmParams {
  let _codec: Codec<LlmParams>

  export const codec = (): Codec<LlmParams> => {
    if (_codec == null) {
      _codec = message<LlmParams>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.prompt != null && obj.prompt !== '')) {
          w.uint32(10)
          w.string(obj.prompt)
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(18)
            ChatMessage.codec().encode(value, w)
          }
        }

        if ((obj.maxTokens != null && obj.maxTokens !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxTokens)
        }

        if ((obj.temperature != null && obj.temperature !== 0)) {
          w.uint32(33)
          w.double(obj.temperature)
        }

        if ((obj.seed != null && obj.seed !== 0)) {
          w.uint32(40)
          w.uint32(obj.seed)
        }

        if ((obj.continuation != null && obj.continuation !== '')) {
          w.uint32(50)
          w.string(obj.continuation)
        }

        if (obj.stop != null && obj.stop.length > 0) {
          for (const value of obj.stop) {
            w.uint32(58)
            w.string(value)
          }
        }

        if ((obj.topP != null && obj.topP !== 0)) {
          w.uint32(65)
          w.double(obj.topP)
        }

        if ((obj.presencePenalty != null && obj.presencePenalty !== 0)) {
          w.uint32(73)
          w.double(obj.presencePenalty)
        }

        if ((obj.frequencyPenalty != null && obj.frequencyPenalty !== 0)) {
          w.uint32(81)
          w.double(obj.frequencyPenalty)
        }

        if (obj.constraint != null) {
          w.uint32(90)
          OutputConstraint.codec().encode(obj.constraint, w)
        }

        if (obj.tools != null && obj.tools.length > 0) {
          for (const value of obj.tools) {
            w.uint32(98)
            ToolFunction.codec().encode(value, w)
          }
        }

        if ((obj.toolChoice != null && obj.toolChoice !== '')) {
          w.uint32(106)
          w.string(obj.toolChoice)
        }

        if ((obj.toolChoiceName != null && obj.toolChoiceName !== '')) {
          w.uint32(114)
          w.string(obj.toolChoiceName)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          prompt: '',
          messages: [],
          maxTokens: 0,
          temperature: 0,
          seed: 0,
          continuation: '',
          stop: [],
          topP: 0,
          presencePenalty: 0,
          frequencyPenalty: 0,
          tools: [],
          toolChoice: '',
          toolChoiceName: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.prompt = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(ChatMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 3: {
              obj.maxTokens = reader.uint32()
              break
            }
            case 4: {
              obj.temperature = reader.double()
              break
            }
            case 5: {
              obj.seed = reader.uint32()
              break
            }
            case 6: {
              obj.continuation = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.stop != null && obj.stop.length === opts.limits.stop) {
                throw new MaxLengthError('Decode error - repeated field "stop" had too many elements')
              }

              obj.stop.push(reader.string())
              break
            }
            case 8: {
              obj.topP = reader.double()
              break
            }
            case 9: {
              obj.presencePenalty = reader.double()
              break
            }
            case 10: {
              obj.frequencyPenalty = reader.double()
              break
            }
            case 11: {
              obj.constraint = OutputConstraint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.constraint
              })
              break
            }
            case 12: {
              if (opts.limits?.tools != null && obj.tools.length === opts.limits.tools) {
                throw new MaxLengthError('Decode error - repeated field "tools" had too many elements')
              }

              obj.tools.push(ToolFunction.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tools$
              }))
              break
            }
            case 13: {
              obj.toolChoice = reader.string()
              break
            }
            case 14: {
              obj.toolChoiceName = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          messages: 0,
          stop: 0,
          tools: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.prompt`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of ChatMessage.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
                limits: opts.limits?.messages$
              })) {
                yield {
                  ...evt,
                  index: obj.messages
                }
              }

              obj.messages++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxTokens`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.temperature`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.seed`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.continuation`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.stop != null && obj.stop === opts.limits.stop) {
                throw new MaxLengthError('Streaming decode error - repeated field "stop" had too many elements')
              }

              yield {
                field: `${prefix}.stop[]`,
                index: obj.stop,
                value: reader.string()
              }

              obj.stop++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.topP`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.presencePenalty`,
                value: reader.double()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.frequencyPenalty`,
                value: reader.double()
              }
              break
            }
            case 11: {
              yield * OutputConstraint.codec().stream(reader, reader.uint32(), `${prefix}.constraint`, {
                limits: opts.limits?.constraint
              })

              break
            }
            case 12: {
              if (opts.limits?.tools != null && obj.tools === opts.limits.tools) {
                throw new MaxLengthError('Streaming decode error - repeated field "tools" had too many elements')
              }

              for (const evt of ToolFunction.codec().stream(reader, reader.uint32(), `${prefix}.tools[]`, {
                limits: opts.limits?.tools$
              })) {
                yield {
                  ...evt,
                  index: obj.tools
                }
              }

              obj.tools++

              break
            }
            case 13: {
              yield {
                field: `${prefix}.toolChoice`,
                value: reader.string()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.toolChoiceName`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LlmParamsPromptFieldEvent {
    field: '$.prompt'
    value: string
  }

  export interface LlmParamsMessagesRoleFieldEvent {
    field: '$.messages[].role'
    value: string
    index: number
  }

  export interface LlmParamsMessagesContentFieldEvent {
    field: '$.messages[].content'
    value: string
    index: number
  }

  export interface LlmParamsMessagesToolCallsIdFieldEvent {
    field: '$.messages[].toolCalls[].id'
    value: string
    index: number
  }

  export interface LlmParamsMessagesToolCallsNameFieldEvent {
    field: '$.messages[].toolCalls[].name'
    value: string
    index: number
  }

  export interface LlmParamsMessagesToolCallsArgumentsFieldEvent {
    field: '$.messages[].toolCalls[].arguments'
    value: string
    index: number
  }

  export interface LlmParamsMessagesToolCallIdFieldEvent {
    field: '$.messages[].toolCallId'
    value: string
    index: number
  }

  export interface LlmParamsMaxTokensFieldEvent {
    field: '$.maxTokens'
    value: number
  }

  export interface LlmParamsTemperatureFieldEvent {
    field: '$.temperature'
    value: number
  }

  export interface LlmParamsSeedFieldEvent {
    field: '$.seed'
    value: number
  }

  export interface LlmParamsContinuationFieldEvent {
    field: '$.continuation'
    value: string
  }

  export interface LlmParamsStopFieldEvent {
    field: '$.stop[]'
    index: number
    value: string
  }

  export interface LlmParamsTopPFieldEvent {
    field: '$.topP'
    value: number
  }

  export interface LlmParamsPresencePenaltyFieldEvent {
    field: '$.presencePenalty'
    value: number
  }

  export interface LlmParamsFrequencyPenaltyFieldEvent {
    field: '$.frequencyPenalty'
    value: number
  }

  export interface LlmParamsConstraintKindFieldEvent {
    field: '$.constraint.kind'
    value: OutputConstraintKind
  }

  export interface LlmParamsConstraintJsonSchemaFieldEvent {
    field: '$.constraint.jsonSchema'
    value: string
  }

  export interface LlmParamsConstraintGrammarFieldEvent {
    field: '$.constraint.grammar'
    value: string
  }

  export interface LlmParamsToolsNameFieldEvent {
    field: '$.tools[].name'
    value: string
    index: number
  }

  export interface LlmParamsToolsDescriptionFieldEvent {
    field: '$.tools[].description'
    value: string
    index: number
  }

  export interface LlmParamsToolsParametersFieldEvent {
    field: '$.tools[].parameters'
    value: string
    index: number
  }

  export interface LlmParamsToolChoiceFieldEvent {
    field: '$.toolChoice'
    value: string
  }

  export interface LlmParamsToolChoiceNameFieldEvent {
    field: '$.toolChoiceName'
    value: string
  }

  export function encode (obj: Partial<LlmParams>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LlmParams.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LlmParams>): LlmParams {
    return decodeMessage(buf, LlmParams.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LlmParams>): Generator<LlmParamsPromptFieldEvent | LlmParamsMessagesRoleFieldEvent | LlmParamsMessagesContentFieldEvent | LlmParamsMessagesToolCallsIdFieldEvent | LlmParamsMessagesToolCallsNameFieldEvent | LlmParamsMessagesToolCallsArgumentsFieldEvent | LlmParamsMessagesToolCallIdFieldEvent | LlmParamsMaxTokensFieldEvent | LlmParamsTemperatureFieldEvent | LlmParamsSeedFieldEvent | LlmParamsContinuationFieldEvent | LlmParamsStopFieldEvent | LlmParamsTopPFieldEvent | LlmParamsPresencePenaltyFieldEvent | LlmParamsFrequencyPenaltyFieldEvent | LlmParamsConstraintKindFieldEvent | LlmParamsConstraintJsonSchemaFieldEvent | LlmParamsConstraintGrammarFieldEvent | LlmParamsToolsNameFieldEvent | LlmParamsToolsDescriptionFieldEvent | LlmParamsToolsParametersFieldEvent | LlmParamsToolChoiceFieldEvent | LlmParamsToolChoiceNameFieldEvent> {
    return streamMessage(buf, LlmParams.codec(), opts)
  }
}

export enum OutputConstraintKind {
  OUTPUT_CONSTRAINT_KIND_UNSPECIFIED = 'OUTPUT_CONSTRAINT_KIND_UNSPECIFIED',
  OUTPUT_CONSTRAINT_KIND_JSON_OBJECT = 'OUTPUT_CONSTRAINT_KIND_JSON_OBJECT',
  OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA = 'OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA',
  OUTPUT_CONSTRAINT_KIND_GRAMMAR = 'OUTPUT_CONSTRAINT_KIND_GRAMMAR'
}

enum __OutputConstraintKindValues {
  OUTPUT_CONSTRAINT_KIND_UNSPECIFIED = 0,
  OUTPUT_CONSTRAINT_KIND_JSON_OBJECT = 1,
  OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA = 2,
  OUTPUT_CONSTRAINT_KIND_GRAMMAR = 3
}

export namespace OutputConstraintKind {
  export const codec = (): Codec<OutputConstraintKind> => {
    return enumeration<OutputConstraintKind>(__OutputConstraintKindValues)
  }
}

export interface OutputConstraint {
  kind: OutputConstraintKind
  jsonSchema: string
  grammar: string
}

export namespace OutputConstraint {
  let _codec: Codec<OutputConstraint>

  export const codec = (): Codec<OutputConstraint> => {
    if (_codec == null) {
      _codec = message<OutputConstraint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __OutputConstraintKindValues[obj.kind] !== 0) {
          w.uint32(8)
          OutputConstraintKind.codec().encode(obj.kind, w)
        }

        if ((obj.jsonSchema != null && obj.jsonSchema !== '')) {
          w.uint32(18)
          w.string(obj.jsonSchema)
        }

        if ((obj.grammar != null && obj.grammar !== '')) {
          w.uint32(26)
          w.string(obj.grammar)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_UNSPECIFIED,
          jsonSchema: '',
          grammar: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = OutputConstraintKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.jsonSchema = reader.string()
              break
            }
            case 3: {
              obj.grammar = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: OutputConstraintKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.jsonSchema`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.grammar`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OutputConstraintKindFieldEvent {
    field: '$.kind'
    value: OutputConstraintKind
  }

  export interface OutputConstraintJsonSchemaFieldEvent {
    field: '$.jsonSchema'
    value: string
  }

  export interface OutputConstraintGrammarFieldEvent {
    field: '$.grammar'
    value: string
  }

  export function encode (obj: Partial<OutputConstraint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputConstraint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputConstraint>): OutputConstraint {
    return decodeMessage(buf, OutputConstraint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputConstraint>): Generator<OutputConstraintKindFieldEvent | OutputConstraintJsonSchemaFieldEvent | OutputConstraintGrammarFieldEvent> {
    return streamMessage(buf, OutputConstraint.codec(), opts)
  }
}

export interface ToolFunction {
  name: string
  description: string
  parameters: string
}

export namespace ToolFunction {
  let _codec: Codec<ToolFunction>

  export const codec = (): Codec<ToolFunction> => {
    if (_codec == null) {
      _codec = message<ToolFunction>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(18)
          w.string(obj.description)
        }

        if ((obj.parameters != null && obj.parameters !== '')) {
          w.uint32(26)
          w.string(obj.parameters)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          description: '',
          parameters: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.description = reader.string()
              break
            }
            case 3: {
              obj.parameters = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parameters`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ToolFunctionNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ToolFunctionDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface ToolFunctionParametersFieldEvent {
    field: '$.parameters'
    value: string
  }

  export function encode (obj: Partial<ToolFunction>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolFunction.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolFunction>): ToolFunction {
    return decodeMessage(buf, ToolFunction.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolFunction>): Generator<ToolFunctionNameFieldEvent | ToolFunctionDescriptionFieldEvent | ToolFunctionParametersFieldEvent> {
    return streamMessage(buf, ToolFunction.codec(), opts)
  }
}

export interface ToolCall {
  id: string
  name: string
  arguments: string
}

export namespace ToolCall {
  let _codec: Codec<ToolCall>

  export const codec = (): Codec<ToolCall> => {
    if (_codec == null) {
      _codec = message<ToolCall>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.arguments != null && obj.arguments !== '')) {
          w.uint32(26)
          w.string(obj.arguments)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          arguments: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.arguments = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.arguments`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ToolCallIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ToolCallNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ToolCallArgumentsFieldEvent {
    field: '$.arguments'
    value: string
  }

  export function encode (obj: Partial<ToolCall>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ToolCall.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolCall>): ToolCall {
    return decodeMessage(buf, ToolCall.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ToolCall>): Generator<ToolCallIdFieldEvent | ToolCallNameFieldEvent | ToolCallArgumentsFieldEvent> {
    return streamMessage(buf, ToolCall.codec(), opts)
  }
}

export interface EmbeddingParams {
  inputs: string[]
}

export namespace EmbeddingParams {
  let _codec: Codec<EmbeddingParams>

  export const codec = (): Codec<EmbeddingParams> => {
    if (_codec == null) {
      _codec = message<EmbeddingParams>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.inputs != null && obj.inputs.length > 0) {
          for (const value of obj.inputs) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          inputs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.inputs != null && obj.inputs.length === opts.limits.inputs) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              obj.inputs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          inputs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.inputs != null && obj.inputs === opts.limits.inputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              yield {
                field: `${prefix}.inputs[]`,
                index: obj.inputs,
                value: reader.string()
              }

              obj.inputs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EmbeddingParamsInputsFieldEvent {
    field: '$.inputs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<EmbeddingParams>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, EmbeddingParams.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EmbeddingParams>): EmbeddingParams {
    return decodeMessage(buf, EmbeddingParams.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EmbeddingParams>): Generator<EmbeddingParamsInputsFieldEvent> {
    return streamMessage(buf, EmbeddingParams.codec(), opts)
  }
}

export interface TensorParams {
  op: string
  inputCount: number
  outputNames: string[]
}

export namespace TensorParams {
  let _codec: Codec<TensorParams>

  export const codec = (): Codec<TensorParams> => {
    if (_codec == null) {
      _codec = message<TensorParams>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.op != null && obj.op !== '')) {
          w.uint32(10)
          w.string(obj.op)
        }

        if ((obj.inputCount != null && obj.inputCount !== 0)) {
          w.uint32(16)
          w.uint32(obj.inputCount)
        }

        if (obj.outputNames != null && obj.outputNames.length > 0) {
          for (const value of obj.outputNames) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: '',
          inputCount: 0,
          outputNames: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = reader.string()
              break
            }
            case 2: {
              obj.inputCount = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.outputNames != null && obj.outputNames.length === opts.limits.outputNames) {
                throw new MaxLengthError('Decode error - repeated field "outputNames" had too many elements')
              }

              obj.outputNames.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          outputNames: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.op`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.inputCount`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.outputNames != null && obj.outputNames === opts.limits.outputNames) {
                throw new MaxLengthError('Streaming decode error - repeated field "outputNames" had too many elements')
              }

              yield {
                field: `${prefix}.outputNames[]`,
                index: obj.outputNames,
                value: reader.string()
              }

              obj.outputNames++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TensorParamsOpFieldEvent {
    field: '$.op'
    value: string
  }

  export interface TensorParamsInputCountFieldEvent {
    field: '$.inputCount'
    value: number
  }

  export interface TensorParamsOutputNamesFieldEvent {
    field: '$.outputNames[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<TensorParams>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TensorParams.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorParams>): TensorParams {
    return decodeMessage(buf, TensorParams.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorParams>): Generator<TensorParamsOpFieldEvent | TensorParamsInputCountFieldEvent | TensorParamsOutputNamesFieldEvent> {
    return streamMessage(buf, TensorParams.codec(), opts)
  }
}

export interface JobRequest {
  version: number
  jobId: string
  kind: JobKind
  model: string
  maxPrice?: Prices
  budget: bigint
  channel: string
  deadline: bigint
  llm?: LlmParams
  tensor?: TensorParams
  minTrustTier: TrustTier
  provider: Uint8Array<ArrayBuffer>
  issuedAt: bigint
  clientKey: Uint8Array<ArrayBuffer>
  clientSignature: Uint8Array<ArrayBuffer>
  embedding?: EmbeddingParams
}

export namespace JobRequest {
  let _codec: Codec<JobRequest>

  export const codec = (): Codec<JobRequest> => {
    if (_codec == null) {
      _codec = message<JobRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(18)
          w.string(obj.jobId)
        }

        if (obj.kind != null && __JobKindValues[obj.kind] !== 0) {
          w.uint32(24)
          JobKind.codec().encode(obj.kind, w)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(34)
          w.string(obj.model)
        }

        if (obj.maxPrice != null) {
          w.uint32(42)
          Prices.codec().encode(obj.maxPrice, w)
        }

        if ((obj.budget != null && obj.budget !== 0n)) {
          w.uint32(48)
          writeUint64(w, obj.budget)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(58)
          w.string(obj.channel)
        }

        if ((obj.deadline != null && obj.deadline !== 0n)) {
          w.uint32(64)
          writeUint64(w, obj.deadline)
        }

        if (obj.llm != null) {
          w.uint32(74)
          LlmParams.codec().encode(obj.llm, w)
        }

        if (obj.tensor != null) {
          w.uint32(82)
          TensorParams.codec().encode(obj.tensor, w)
        }

        if (obj.minTrustTier != null && __TrustTierValues[obj.minTrustTier] !== 0) {
          w.uint32(88)
          TrustTier.codec().encode(obj.minTrustTier, w)
        }

        if ((obj.provider != null && obj.provider.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.provider)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(104)
          writeUint64(w, obj.issuedAt)
        }

        if ((obj.clientKey != null && obj.clientKey.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.clientKey)
        }

        if ((obj.clientSignature != null && obj.clientSignature.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.clientSignature)
        }

        if (obj.embedding != null) {
          w.uint32(130)
          EmbeddingParams.codec().encode(obj.embedding, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          jobId: '',
          kind: JobKind.JOB_KIND_UNSPECIFIED,
          model: '',
          budget: 0n,
          channel: '',
          deadline: 0n,
          minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
          provider: uint8ArrayAlloc(0),
          issuedAt: 0n,
          clientKey: uint8ArrayAlloc(0),
          clientSignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.jobId = reader.string()
              break
            }
            case 3: {
              obj.kind = JobKind.codec().decode(reader)
              break
            }
            case 4: {
              obj.model = reader.string()
              break
            }
            case 5: {
              obj.maxPrice = Prices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.maxPrice
              })
              break
            }
            case 6: {
              obj.budget = reader.uint64()
              break
            }
            case 7: {
              obj.channel = reader.string()
              break
            }
            case 8: {
              obj.deadline = reader.uint64()
              break
            }
            case 9: {
              obj.llm = LlmParams.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.llm
              })
              break
            }
            case 10: {
              obj.tensor = TensorParams.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tensor
              })
              break
            }
            case 11: {
              obj.minTrustTier = TrustTier.codec().decode(reader)
              break
            }
            case 12: {
              obj.provider = reader.bytes()
              break
            }
            case 13: {
              obj.issuedAt = reader.uint64()
              break
            }
            case 14: {
              obj.clientKey = reader.bytes()
              break
            }
            case 15: {
              obj.clientSignature = reader.bytes()
              break
            }
            case 16: {
              obj.embedding = EmbeddingParams.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.embedding
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: JobKind.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield * Prices.codec().stream(reader, reader.uint32(), `${prefix}.maxPrice`, {
                limits: opts.limits?.maxPrice
              })

              break
            }
            case 6: {
              yield {
                field: `${prefix}.budget`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.channel`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.deadline`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield * LlmParams.codec().stream(reader, reader.uint32(), `${prefix}.llm`, {
                limits: opts.limits?.llm
              })

              break
            }
            case 10: {
              yield * TensorParams.codec().stream(reader, reader.uint32(), `${prefix}.tensor`, {
                limits: opts.limits?.tensor
              })

              break
            }
            case 11: {
              yield {
                field: `${prefix}.minTrustTier`,
                value: TrustTier.codec().decode(reader)
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.provider`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.clientKey`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.clientSignature`,
                value: reader.bytes()
              }
              break
            }
            case 16: {
              yield * EmbeddingParams.codec().stream(reader, reader.uint32(), `${prefix}.embedding`, {
                limits: opts.limits?.embedding
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JobRequestJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobRequestKindFieldEvent {
    field: '$.kind'
    value: JobKind
  }

  export interface JobRequestModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface JobRequestMaxPricePerKPromptTokensFieldEvent {
    field: '$.maxPrice.perKPromptTokens'
    value: bigint
  }

  export interface JobRequestMaxPricePerKCompletionTokensFieldEvent {
    field: '$.maxPrice.perKCompletionTokens'
    value: bigint
  }

  export interface JobRequestMaxPricePerTensorGflopFieldEvent {
    field: '$.maxPrice.perTensorGflop'
    value: bigint
  }

  export interface JobRequestBudgetFieldEvent {
    field: '$.budget'
    value: bigint
  }

  export interface JobRequestChannelFieldEvent {
    field: '$.channel'
    value: string
  }

  export interface JobRequestDeadlineFieldEvent {
    field: '$.deadline'
    value: bigint
  }

  export interface JobRequestLlmPromptFieldEvent {
    field: '$.llm.prompt'
    value: string
  }

  export interface JobRequestLlmMessagesRoleFieldEvent {
    field: '$.llm.messages[].role'
    value: string
    index: number
  }

  export interface JobRequestLlmMessagesContentFieldEvent {
    field: '$.llm.messages[].content'
    value: string
    index: number
  }

  export interface JobRequestLlmMessagesToolCallsIdFieldEvent {
    field: '$.llm.messages[].toolCalls[].id'
    value: string
    index: number
  }

  export interface JobRequestLlmMessagesToolCallsNameFieldEvent {
    field: '$.llm.messages[].toolCalls[].name'
    value: string
    index: number
  }

  export interface JobRequestLlmMessagesToolCallsArgumentsFieldEvent {
    field: '$.llm.messages[].toolCalls[].arguments'
    value: string
    index: number
  }

  export interface JobRequestLlmMessagesToolCallIdFieldEvent {
    field: '$.llm.messages[].toolCallId'
    value: string
    index: number
  }

  export interface JobRequestLlmMaxTokensFieldEvent {
    field: '$.llm.maxTokens'
    value: number
  }

  export interface JobRequestLlmTemperatureFieldEvent {
    field: '$.llm.temperature'
    value: number
  }

  export interface JobRequestLlmSeedFieldEvent {
    field: '$.llm.seed'
    value: number
  }

  export interface JobRequestLlmContinuationFieldEvent {
    field: '$.llm.continuation'
    value: string
  }

  export interface JobRequestLlmStopFieldEvent {
    field: '$.llm.stop[]'
    index: number
    value: string
  }

  export interface JobRequestLlmTopPFieldEvent {
    field: '$.llm.topP'
    value: number
  }

  export interface JobRequestLlmPresencePenaltyFieldEvent {
    field: '$.llm.presencePenalty'
    value: number
  }

  export interface JobRequestLlmFrequencyPenaltyFieldEvent {
    field: '$.llm.frequencyPenalty'
    value: number
  }

  export interface JobRequestLlmConstraintKindFieldEvent {
    field: '$.llm.constraint.kind'
    value: OutputConstraintKind
  }

  export interface JobRequestLlmConstraintJsonSchemaFieldEvent {
    field: '$.llm.constraint.jsonSchema'
    value: string
  }

  export interface JobRequestLlmConstraintGrammarFieldEvent {
    field: '$.llm.constraint.grammar'
    value: string
  }

  export interface JobRequestLlmToolsNameFieldEvent {
    field: '$.llm.tools[].name'
    value: string
    index: number
  }

  export interface JobRequestLlmToolsDescriptionFieldEvent {
    field: '$.llm.tools[].description'
    value: string
    index: number
  }

  export interface JobRequestLlmToolsParametersFieldEvent {
    field: '$.llm.tools[].parameters'
    value: string
    index: number
  }

  export interface JobRequestLlmToolChoiceFieldEvent {
    field: '$.llm.toolChoice'
    value: string
  }

  export interface JobRequestLlmToolChoiceNameFieldEvent {
    field: '$.llm.toolChoiceName'
    value: string
  }

  export interface JobRequestTensorOpFieldEvent {
    field: '$.tensor.op'
    value: string
  }

  export interface JobRequestTensorInputCountFieldEvent {
    field: '$.tensor.inputCount'
    value: number
  }

  export interface JobRequestTensorOutputNamesFieldEvent {
    field: '$.tensor.outputNames[]'
    index: number
    value: string
  }

  export interface JobRequestMinTrustTierFieldEvent {
    field: '$.minTrustTier'
    value: TrustTier
  }

  export interface JobRequestProviderFieldEvent {
    field: '$.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobRequestIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface JobRequestClientKeyFieldEvent {
    field: '$.clientKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobRequestClientSignatureFieldEvent {
    field: '$.clientSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobRequestEmbeddingInputsFieldEvent {
    field: '$.embedding.inputs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<JobRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobRequest>): JobRequest {
    return decodeMessage(buf, JobRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobRequest>): Generator<JobRequestVersionFieldEvent | JobRequestJobIdFieldEvent | JobRequestKindFieldEvent | JobRequestModelFieldEvent | JobRequestMaxPricePerKPromptTokensFieldEvent | JobRequestMaxPricePerKCompletionTokensFieldEvent | JobRequestMaxPricePerTensorGflopFieldEvent | JobRequestBudgetFieldEvent | JobRequestChannelFieldEvent | JobRequestDeadlineFieldEvent | JobRequestLlmPromptFieldEvent | JobRequestLlmMessagesRoleFieldEvent | JobRequestLlmMessagesContentFieldEvent | JobRequestLlmMessagesToolCallsIdFieldEvent | JobRequestLlmMessagesToolCallsNameFieldEvent | JobRequestLlmMessagesToolCallsArgumentsFieldEvent | JobRequestLlmMessagesToolCallIdFieldEvent | JobRequestLlmMaxTokensFieldEvent | JobRequestLlmTemperatureFieldEvent | JobRequestLlmSeedFieldEvent | JobRequestLlmContinuationFieldEvent | JobRequestLlmStopFieldEvent | JobRequestLlmTopPFieldEvent | JobRequestLlmPresencePenaltyFieldEvent | JobRequestLlmFrequencyPenaltyFieldEvent | JobRequestLlmConstraintKindFieldEvent | JobRequestLlmConstraintJsonSchemaFieldEvent | JobRequestLlmConstraintGrammarFieldEvent | JobRequestLlmToolsNameFieldEvent | JobRequestLlmToolsDescriptionFieldEvent | JobRequestLlmToolsParametersFieldEvent | JobRequestLlmToolChoiceFieldEvent | JobRequestLlmToolChoiceNameFieldEvent | JobRequestTensorOpFieldEvent | JobRequestTensorInputCountFieldEvent | JobRequestTensorOutputNamesFieldEvent | JobRequestMinTrustTierFieldEvent | JobRequestProviderFieldEvent | JobRequestIssuedAtFieldEvent | JobRequestClientKeyFieldEvent | JobRequestClientSignatureFieldEvent | JobRequestEmbeddingInputsFieldEvent> {
    return streamMessage(buf, JobRequest.codec(), opts)
  }
}

export interface JobAccept {
  jobId: string
  price?: Prices
  creditWindow: bigint
  queueDepth: number
}

export namespace JobAccept {
  let _codec: Codec<JobAccept>

  export const codec = (): Codec<JobAccept> => {
    if (_codec == null) {
      _codec = message<JobAccept>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if (obj.price != null) {
          w.uint32(18)
          Prices.codec().encode(obj.price, w)
        }

        if ((obj.creditWindow != null && obj.creditWindow !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.creditWindow)
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(32)
          w.uint32(obj.queueDepth)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          creditWindow: 0n,
          queueDepth: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.price = Prices.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.price
              })
              break
            }
            case 3: {
              obj.creditWindow = reader.uint64()
              break
            }
            case 4: {
              obj.queueDepth = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * Prices.codec().stream(reader, reader.uint32(), `${prefix}.price`, {
                limits: opts.limits?.price
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.creditWindow`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobAcceptJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobAcceptPricePerKPromptTokensFieldEvent {
    field: '$.price.perKPromptTokens'
    value: bigint
  }

  export interface JobAcceptPricePerKCompletionTokensFieldEvent {
    field: '$.price.perKCompletionTokens'
    value: bigint
  }

  export interface JobAcceptPricePerTensorGflopFieldEvent {
    field: '$.price.perTensorGflop'
    value: bigint
  }

  export interface JobAcceptCreditWindowFieldEvent {
    field: '$.creditWindow'
    value: bigint
  }

  export interface JobAcceptQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export function encode (obj: Partial<JobAccept>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobAccept.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobAccept>): JobAccept {
    return decodeMessage(buf, JobAccept.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobAccept>): Generator<JobAcceptJobIdFieldEvent | JobAcceptPricePerKPromptTokensFieldEvent | JobAcceptPricePerKCompletionTokensFieldEvent | JobAcceptPricePerTensorGflopFieldEvent | JobAcceptCreditWindowFieldEvent | JobAcceptQueueDepthFieldEvent> {
    return streamMessage(buf, JobAccept.codec(), opts)
  }
}

export enum RejectReason {
  REJECT_REASON_UNSPECIFIED = 'REJECT_REASON_UNSPECIFIED',
  REJECT_REASON_OVER_CAPACITY = 'REJECT_REASON_OVER_CAPACITY',
  REJECT_REASON_PRICE_TOO_LOW = 'REJECT_REASON_PRICE_TOO_LOW',
  REJECT_REASON_UNKNOWN_MODEL = 'REJECT_REASON_UNKNOWN_MODEL',
  REJECT_REASON_DEADLINE_IMPOSSIBLE = 'REJECT_REASON_DEADLINE_IMPOSSIBLE',
  REJECT_REASON_BAD_REQUEST = 'REJECT_REASON_BAD_REQUEST',
  REJECT_REASON_PAYMENT_REQUIRED = 'REJECT_REASON_PAYMENT_REQUIRED',
  REJECT_REASON_RELAYED = 'REJECT_REASON_RELAYED'
}

enum __RejectReasonValues {
  REJECT_REASON_UNSPECIFIED = 0,
  REJECT_REASON_OVER_CAPACITY = 1,
  REJECT_REASON_PRICE_TOO_LOW = 2,
  REJECT_REASON_UNKNOWN_MODEL = 3,
  REJECT_REASON_DEADLINE_IMPOSSIBLE = 4,
  REJECT_REASON_BAD_REQUEST = 5,
  REJECT_REASON_PAYMENT_REQUIRED = 6,
  REJECT_REASON_RELAYED = 7
}

export namespace RejectReason {
  export const codec = (): Codec<RejectReason> => {
    return enumeration<RejectReason>(__RejectReasonValues)
  }
}

export interface JobReject {
  jobId: string
  reason: RejectReason
  message: string
  retryAfterMs: number
  queueDepth: number
}

export namespace JobReject {
  let _codec: Codec<JobReject>

  export const codec = (): Codec<JobReject> => {
    if (_codec == null) {
      _codec = message<JobReject>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if (obj.reason != null && __RejectReasonValues[obj.reason] !== 0) {
          w.uint32(16)
          RejectReason.codec().encode(obj.reason, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.retryAfterMs)
        }

        if ((obj.queueDepth != null && obj.queueDepth !== 0)) {
          w.uint32(40)
          w.uint32(obj.queueDepth)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          reason: RejectReason.REJECT_REASON_UNSPECIFIED,
          message: '',
          retryAfterMs: 0,
          queueDepth: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.reason = RejectReason.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 5: {
              obj.queueDepth = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.reason`,
                value: RejectReason.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.queueDepth`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobRejectJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobRejectReasonFieldEvent {
    field: '$.reason'
    value: RejectReason
  }

  export interface JobRejectMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface JobRejectRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface JobRejectQueueDepthFieldEvent {
    field: '$.queueDepth'
    value: number
  }

  export function encode (obj: Partial<JobReject>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobReject.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobReject>): JobReject {
    return decodeMessage(buf, JobReject.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobReject>): Generator<JobRejectJobIdFieldEvent | JobRejectReasonFieldEvent | JobRejectMessageFieldEvent | JobRejectRetryAfterMsFieldEvent | JobRejectQueueDepthFieldEvent> {
    return streamMessage(buf, JobReject.codec(), opts)
  }
}

export enum DType {
  DTYPE_UNSPECIFIED = 'DTYPE_UNSPECIFIED',
  DTYPE_FLOAT32 = 'DTYPE_FLOAT32',
  DTYPE_FLOAT16 = 'DTYPE_FLOAT16',
  DTYPE_INT32 = 'DTYPE_INT32',
  DTYPE_INT64 = 'DTYPE_INT64',
  DTYPE_UINT8 = 'DTYPE_UINT8',
  DTYPE_INT8 = 'DTYPE_INT8',
  DTYPE_BOOL = 'DTYPE_BOOL'
}

enum __DTypeValues {
  DTYPE_UNSPECIFIED = 0,
  DTYPE_FLOAT32 = 1,
  DTYPE_FLOAT16 = 2,
  DTYPE_INT32 = 3,
  DTYPE_INT64 = 4,
  DTYPE_UINT8 = 5,
  DTYPE_INT8 = 6,
  DTYPE_BOOL = 7
}

export namespace DType {
  export const codec = (): Codec<DType> => {
    return enumeration<DType>(__DTypeValues)
  }
}

export interface TensorHeader {
  name: string
  dtype: DType
  shape: bigint[]
  byteLength: bigint
  sha256: Uint8Array<ArrayBuffer>
}

export namespace TensorHeader {
  let _codec: Codec<TensorHeader>

  export const codec = (): Codec<TensorHeader> => {
    if (_codec == null) {
      _codec = message<TensorHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.dtype != null && __DTypeValues[obj.dtype] !== 0) {
          w.uint32(16)
          DType.codec().encode(obj.dtype, w)
        }

        if (obj.shape != null && obj.shape.length > 0) {
          w.uint32(26) // packed: field 3, wire type 2
          w.fork()
          for (const value of obj.shape) {
            writeUint64(w, value)
          }
          w.ldelim()
        }

        if ((obj.byteLength != null && obj.byteLength !== 0n)) {
          w.uint32(32)
          writeUint64(w, obj.byteLength)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.sha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          dtype: DType.DTYPE_UNSPECIFIED,
          shape: [],
          byteLength: 0n,
          sha256: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.dtype = DType.codec().decode(reader)
              break
            }
            case 3: {
              // packed (wire type 2) or one element per field
              const packedEnd = (tag & 7) === 2 ? reader.uint32() + reader.pos : undefined
              if (packedEnd !== undefined && packedEnd > end) {
                throw new RangeError('packed field "shape" runs past the end of its message')
              }
              for (let once = true; packedEnd === undefined ? once : reader.pos < packedEnd; once = false) {
                if (opts.limits?.shape != null && obj.shape.length === opts.limits.shape) {
                  throw new MaxLengthError('Decode error - repeated field "shape" had too many elements')
                }

                obj.shape.push(reader.uint64())
              }
              break
            }
            case 4: {
              obj.byteLength = reader.uint64()
              break
            }
            case 5: {
              obj.sha256 = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shape: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.dtype`,
                value: DType.codec().decode(reader)
              }
              break
            }
            case 3: {
              // packed (wire type 2) or one element per field
              const packedEnd = (tag & 7) === 2 ? reader.uint32() + reader.pos : undefined
              if (packedEnd !== undefined && packedEnd > end) {
                throw new RangeError('packed field "shape" runs past the end of its message')
              }
              for (let once = true; packedEnd === undefined ? once : reader.pos < packedEnd; once = false) {
                if (opts.limits?.shape != null && obj.shape === opts.limits.shape) {
                  throw new MaxLengthError('Streaming decode error - repeated field "shape" had too many elements')
                }

                yield {
                  field: `${prefix}.shape[]`,
                  index: obj.shape,
                  value: reader.uint64()
                }

                obj.shape++

              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.byteLength`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TensorHeaderNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface TensorHeaderDtypeFieldEvent {
    field: '$.dtype'
    value: DType
  }

  export interface TensorHeaderShapeFieldEvent {
    field: '$.shape[]'
    index: number
    value: bigint
  }

  export interface TensorHeaderByteLengthFieldEvent {
    field: '$.byteLength'
    value: bigint
  }

  export interface TensorHeaderSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TensorHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TensorHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorHeader>): TensorHeader {
    return decodeMessage(buf, TensorHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorHeader>): Generator<TensorHeaderNameFieldEvent | TensorHeaderDtypeFieldEvent | TensorHeaderShapeFieldEvent | TensorHeaderByteLengthFieldEvent | TensorHeaderSha256FieldEvent> {
    return streamMessage(buf, TensorHeader.codec(), opts)
  }
}

export interface TensorChunk {
  index: number
  offset: bigint
  data: Uint8Array<ArrayBuffer>
}

export namespace TensorChunk {
  let _codec: Codec<TensorChunk>

  export const codec = (): Codec<TensorChunk> => {
    if (_codec == null) {
      _codec = message<TensorChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.offset != null && obj.offset !== 0n)) {
          w.uint32(16)
          writeUint64(w, obj.offset)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          offset: 0n,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.offset = reader.uint64()
              break
            }
            case 3: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TensorChunkIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TensorChunkOffsetFieldEvent {
    field: '$.offset'
    value: bigint
  }

  export interface TensorChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TensorChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TensorChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorChunk>): TensorChunk {
    return decodeMessage(buf, TensorChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TensorChunk>): Generator<TensorChunkIndexFieldEvent | TensorChunkOffsetFieldEvent | TensorChunkDataFieldEvent> {
    return streamMessage(buf, TensorChunk.codec(), opts)
  }
}

export interface TokenChunk {
  text: string
  tokens: number
  totalTokens: number
}

export namespace TokenChunk {
  let _codec: Codec<TokenChunk>

  export const codec = (): Codec<TokenChunk> => {
    if (_codec == null) {
      _codec = message<TokenChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if ((obj.tokens != null && obj.tokens !== 0)) {
          w.uint32(16)
          w.uint32(obj.tokens)
        }

        if ((obj.totalTokens != null && obj.totalTokens !== 0)) {
          w.uint32(24)
          w.uint32(obj.totalTokens)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: '',
          tokens: 0,
          totalTokens: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.tokens = reader.uint32()
              break
            }
            case 3: {
              obj.totalTokens = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tokens`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.totalTokens`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TokenChunkTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface TokenChunkTokensFieldEvent {
    field: '$.tokens'
    value: number
  }

  export interface TokenChunkTotalTokensFieldEvent {
    field: '$.totalTokens'
    value: number
  }

  export function encode (obj: Partial<TokenChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TokenChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TokenChunk>): TokenChunk {
    return decodeMessage(buf, TokenChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TokenChunk>): Generator<TokenChunkTextFieldEvent | TokenChunkTokensFieldEvent | TokenChunkTotalTokensFieldEvent> {
    return streamMessage(buf, TokenChunk.codec(), opts)
  }
}

export interface Usage {
  promptTokens: number
  cachedTokens: number
  completionTokens: number
  reasoningTokens: number
  gflop: number
  cost: bigint
}

export namespace Usage {
  let _codec: Codec<Usage>

  export const codec = (): Codec<Usage> => {
    if (_codec == null) {
      _codec = message<Usage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.promptTokens != null && obj.promptTokens !== 0)) {
          w.uint32(8)
          w.uint32(obj.promptTokens)
        }

        if ((obj.cachedTokens != null && obj.cachedTokens !== 0)) {
          w.uint32(16)
          w.uint32(obj.cachedTokens)
        }

        if ((obj.completionTokens != null && obj.completionTokens !== 0)) {
          w.uint32(24)
          w.uint32(obj.completionTokens)
        }

        if ((obj.reasoningTokens != null && obj.reasoningTokens !== 0)) {
          w.uint32(32)
          w.uint32(obj.reasoningTokens)
        }

        if ((obj.gflop != null && obj.gflop !== 0)) {
          w.uint32(41)
          w.double(obj.gflop)
        }

        if ((obj.cost != null && obj.cost !== 0n)) {
          w.uint32(48)
          writeUint64(w, obj.cost)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          promptTokens: 0,
          cachedTokens: 0,
          completionTokens: 0,
          reasoningTokens: 0,
          gflop: 0,
          cost: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.promptTokens = reader.uint32()
              break
            }
            case 2: {
              obj.cachedTokens = reader.uint32()
              break
            }
            case 3: {
              obj.completionTokens = reader.uint32()
              break
            }
            case 4: {
              obj.reasoningTokens = reader.uint32()
              break
            }
            case 5: {
              obj.gflop = reader.double()
              break
            }
            case 6: {
              obj.cost = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.promptTokens`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cachedTokens`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.completionTokens`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.reasoningTokens`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.gflop`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.cost`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface UsagePromptTokensFieldEvent {
    field: '$.promptTokens'
    value: number
  }

  export interface UsageCachedTokensFieldEvent {
    field: '$.cachedTokens'
    value: number
  }

  export interface UsageCompletionTokensFieldEvent {
    field: '$.completionTokens'
    value: number
  }

  export interface UsageReasoningTokensFieldEvent {
    field: '$.reasoningTokens'
    value: number
  }

  export interface UsageGflopFieldEvent {
    field: '$.gflop'
    value: number
  }

  export interface UsageCostFieldEvent {
    field: '$.cost'
    value: bigint
  }

  export function encode (obj: Partial<Usage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Usage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Usage>): Usage {
    return decodeMessage(buf, Usage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Usage>): Generator<UsagePromptTokensFieldEvent | UsageCachedTokensFieldEvent | UsageCompletionTokensFieldEvent | UsageReasoningTokensFieldEvent | UsageGflopFieldEvent | UsageCostFieldEvent> {
    return streamMessage(buf, Usage.codec(), opts)
  }
}

export interface JobResult {
  jobId: string
  usage?: Usage
  backend: string
  finishReason: string
  toolCalls: ToolCall[]
}

export namespace JobResult {
  let _codec: Codec<JobResult>

  export const codec = (): Codec<JobResult> => {
    if (_codec == null) {
      _codec = message<JobResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if (obj.usage != null) {
          w.uint32(18)
          Usage.codec().encode(obj.usage, w)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(26)
          w.string(obj.backend)
        }

        if ((obj.finishReason != null && obj.finishReason !== '')) {
          w.uint32(34)
          w.string(obj.finishReason)
        }

        if (obj.toolCalls != null && obj.toolCalls.length > 0) {
          for (const value of obj.toolCalls) {
            w.uint32(42)
            ToolCall.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          backend: '',
          finishReason: '',
          toolCalls: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.usage = Usage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.usage
              })
              break
            }
            case 3: {
              obj.backend = reader.string()
              break
            }
            case 4: {
              obj.finishReason = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.toolCalls != null && obj.toolCalls.length === opts.limits.toolCalls) {
                throw new MaxLengthError('Decode error - repeated field "toolCalls" had too many elements')
              }

              obj.toolCalls.push(ToolCall.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toolCalls$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          toolCalls: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * Usage.codec().stream(reader, reader.uint32(), `${prefix}.usage`, {
                limits: opts.limits?.usage
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.finishReason`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.toolCalls != null && obj.toolCalls === opts.limits.toolCalls) {
                throw new MaxLengthError('Streaming decode error - repeated field "toolCalls" had too many elements')
              }

              for (const evt of ToolCall.codec().stream(reader, reader.uint32(), `${prefix}.toolCalls[]`, {
                limits: opts.limits?.toolCalls$
              })) {
                yield {
                  ...evt,
                  index: obj.toolCalls
                }
              }

              obj.toolCalls++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobResultJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobResultUsagePromptTokensFieldEvent {
    field: '$.usage.promptTokens'
    value: number
  }

  export interface JobResultUsageCachedTokensFieldEvent {
    field: '$.usage.cachedTokens'
    value: number
  }

  export interface JobResultUsageCompletionTokensFieldEvent {
    field: '$.usage.completionTokens'
    value: number
  }

  export interface JobResultUsageReasoningTokensFieldEvent {
    field: '$.usage.reasoningTokens'
    value: number
  }

  export interface JobResultUsageGflopFieldEvent {
    field: '$.usage.gflop'
    value: number
  }

  export interface JobResultUsageCostFieldEvent {
    field: '$.usage.cost'
    value: bigint
  }

  export interface JobResultBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export interface JobResultFinishReasonFieldEvent {
    field: '$.finishReason'
    value: string
  }

  export interface JobResultToolCallsIdFieldEvent {
    field: '$.toolCalls[].id'
    value: string
    index: number
  }

  export interface JobResultToolCallsNameFieldEvent {
    field: '$.toolCalls[].name'
    value: string
    index: number
  }

  export interface JobResultToolCallsArgumentsFieldEvent {
    field: '$.toolCalls[].arguments'
    value: string
    index: number
  }

  export function encode (obj: Partial<JobResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobResult>): JobResult {
    return decodeMessage(buf, JobResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobResult>): Generator<JobResultJobIdFieldEvent | JobResultUsagePromptTokensFieldEvent | JobResultUsageCachedTokensFieldEvent | JobResultUsageCompletionTokensFieldEvent | JobResultUsageReasoningTokensFieldEvent | JobResultUsageGflopFieldEvent | JobResultUsageCostFieldEvent | JobResultBackendFieldEvent | JobResultFinishReasonFieldEvent | JobResultToolCallsIdFieldEvent | JobResultToolCallsNameFieldEvent | JobResultToolCallsArgumentsFieldEvent> {
    return streamMessage(buf, JobResult.codec(), opts)
  }
}

export enum JobErrorCode {
  JOB_ERROR_CODE_UNSPECIFIED = 'JOB_ERROR_CODE_UNSPECIFIED',
  JOB_ERROR_CODE_INTERNAL = 'JOB_ERROR_CODE_INTERNAL',
  JOB_ERROR_CODE_BAD_INPUT = 'JOB_ERROR_CODE_BAD_INPUT',
  JOB_ERROR_CODE_HASH_MISMATCH = 'JOB_ERROR_CODE_HASH_MISMATCH',
  JOB_ERROR_CODE_TOO_LARGE = 'JOB_ERROR_CODE_TOO_LARGE',
  JOB_ERROR_CODE_DEADLINE = 'JOB_ERROR_CODE_DEADLINE',
  JOB_ERROR_CODE_CANCELLED = 'JOB_ERROR_CODE_CANCELLED',
  JOB_ERROR_CODE_PAYMENT = 'JOB_ERROR_CODE_PAYMENT'
}

enum __JobErrorCodeValues {
  JOB_ERROR_CODE_UNSPECIFIED = 0,
  JOB_ERROR_CODE_INTERNAL = 1,
  JOB_ERROR_CODE_BAD_INPUT = 2,
  JOB_ERROR_CODE_HASH_MISMATCH = 3,
  JOB_ERROR_CODE_TOO_LARGE = 4,
  JOB_ERROR_CODE_DEADLINE = 5,
  JOB_ERROR_CODE_CANCELLED = 6,
  JOB_ERROR_CODE_PAYMENT = 7
}

export namespace JobErrorCode {
  export const codec = (): Codec<JobErrorCode> => {
    return enumeration<JobErrorCode>(__JobErrorCodeValues)
  }
}

export interface ContextLimit {
  contextSize: number
  promptTokens: number
  maxTokens: number
}

export namespace ContextLimit {
  let _codec: Codec<ContextLimit>

  export const codec = (): Codec<ContextLimit> => {
    if (_codec == null) {
      _codec = message<ContextLimit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.contextSize != null && obj.contextSize !== 0)) {
          w.uint32(8)
          w.uint32(obj.contextSize)
        }

        if ((obj.promptTokens != null && obj.promptTokens !== 0)) {
          w.uint32(16)
          w.uint32(obj.promptTokens)
        }

        if ((obj.maxTokens != null && obj.maxTokens !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxTokens)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          contextSize: 0,
          promptTokens: 0,
          maxTokens: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.contextSize = reader.uint32()
              break
            }
            case 2: {
              obj.promptTokens = reader.uint32()
              break
            }
            case 3: {
              obj.maxTokens = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.contextSize`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.promptTokens`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxTokens`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ContextLimitContextSizeFieldEvent {
    field: '$.contextSize'
    value: number
  }

  export interface ContextLimitPromptTokensFieldEvent {
    field: '$.promptTokens'
    value: number
  }

  export interface ContextLimitMaxTokensFieldEvent {
    field: '$.maxTokens'
    value: number
  }

  export function encode (obj: Partial<ContextLimit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContextLimit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContextLimit>): ContextLimit {
    return decodeMessage(buf, ContextLimit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContextLimit>): Generator<ContextLimitContextSizeFieldEvent | ContextLimitPromptTokensFieldEvent | ContextLimitMaxTokensFieldEvent> {
    return streamMessage(buf, ContextLimit.codec(), opts)
  }
}

export interface JobError {
  jobId: string
  code: JobErrorCode
  message: string
  contextLimit?: ContextLimit
}

export namespace JobError {
  let _codec: Codec<JobError>

  export const codec = (): Codec<JobError> => {
    if (_codec == null) {
      _codec = message<JobError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if (obj.code != null && __JobErrorCodeValues[obj.code] !== 0) {
          w.uint32(16)
          JobErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.contextLimit != null) {
          w.uint32(34)
          ContextLimit.codec().encode(obj.contextLimit, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          code: JobErrorCode.JOB_ERROR_CODE_UNSPECIFIED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.code = JobErrorCode.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.contextLimit = ContextLimit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.contextLimit
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: JobErrorCode.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield * ContextLimit.codec().stream(reader, reader.uint32(), `${prefix}.contextLimit`, {
                limits: opts.limits?.contextLimit
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobErrorJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobErrorCodeFieldEvent {
    field: '$.code'
    value: JobErrorCode
  }

  export interface JobErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface JobErrorContextLimitContextSizeFieldEvent {
    field: '$.contextLimit.contextSize'
    value: number
  }

  export interface JobErrorContextLimitPromptTokensFieldEvent {
    field: '$.contextLimit.promptTokens'
    value: number
  }

  export interface JobErrorContextLimitMaxTokensFieldEvent {
    field: '$.contextLimit.maxTokens'
    value: number
  }

  export function encode (obj: Partial<JobError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobError>): JobError {
    return decodeMessage(buf, JobError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobError>): Generator<JobErrorJobIdFieldEvent | JobErrorCodeFieldEvent | JobErrorMessageFieldEvent | JobErrorContextLimitContextSizeFieldEvent | JobErrorContextLimitPromptTokensFieldEvent | JobErrorContextLimitMaxTokensFieldEvent> {
    return streamMessage(buf, JobError.codec(), opts)
  }
}

export interface JobCancel {
  jobId: string
}

export namespace JobCancel {
  let _codec: Codec<JobCancel>

  export const codec = (): Codec<JobCancel> => {
    if (_codec == null) {
      _codec = message<JobCancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobCancelJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export function encode (obj: Partial<JobCancel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobCancel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobCancel>): JobCancel {
    return decodeMessage(buf, JobCancel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobCancel>): Generator<JobCancelJobIdFieldEvent> {
    return streamMessage(buf, JobCancel.codec(), opts)
  }
}

export interface Voucher {
  channel: string
  amount: bigint
  jobId: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace Voucher {
  let _codec: Codec<Voucher>

  export const codec = (): Codec<Voucher> => {
    if (_codec == null) {
      _codec = message<Voucher>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(10)
          w.string(obj.channel)
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(16)
          writeUint64(w, obj.amount)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(26)
          w.string(obj.jobId)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          channel: '',
          amount: 0n,
          jobId: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.channel = reader.string()
              break
            }
            case 2: {
              obj.amount = reader.uint64()
              break
            }
            case 3: {
              obj.jobId = reader.string()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.channel`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.amount`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VoucherChannelFieldEvent {
    field: '$.channel'
    value: string
  }

  export interface VoucherAmountFieldEvent {
    field: '$.amount'
    value: bigint
  }

  export interface VoucherJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface VoucherSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Voucher>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Voucher.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Voucher>): Voucher {
    return decodeMessage(buf, Voucher.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Voucher>): Generator<VoucherChannelFieldEvent | VoucherAmountFieldEvent | VoucherJobIdFieldEvent | VoucherSignatureFieldEvent> {
    return streamMessage(buf, Voucher.codec(), opts)
  }
}

export interface UsageReceipt {
  version: number
  jobId: string
  provider: Uint8Array<ArrayBuffer>
  client: Uint8Array<ArrayBuffer>
  model: string
  usage?: Usage
  startedAt: bigint
  finishedAt: bigint
  signature: Uint8Array<ArrayBuffer>
}

export namespace UsageReceipt {
  let _codec: Codec<UsageReceipt>

  export const codec = (): Codec<UsageReceipt> => {
    if (_codec == null) {
      _codec = message<UsageReceipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(18)
          w.string(obj.jobId)
        }

        if ((obj.provider != null && obj.provider.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.provider)
        }

        if ((obj.client != null && obj.client.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.client)
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(42)
          w.string(obj.model)
        }

        if (obj.usage != null) {
          w.uint32(50)
          Usage.codec().encode(obj.usage, w)
        }

        if ((obj.startedAt != null && obj.startedAt !== 0n)) {
          w.uint32(56)
          writeUint64(w, obj.startedAt)
        }

        if ((obj.finishedAt != null && obj.finishedAt !== 0n)) {
          w.uint32(64)
          writeUint64(w, obj.finishedAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(802)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          jobId: '',
          provider: uint8ArrayAlloc(0),
          client: uint8ArrayAlloc(0),
          model: '',
          startedAt: 0n,
          finishedAt: 0n,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.jobId = reader.string()
              break
            }
            case 3: {
              obj.provider = reader.bytes()
              break
            }
            case 4: {
              obj.client = reader.bytes()
              break
            }
            case 5: {
              obj.model = reader.string()
              break
            }
            case 6: {
              obj.usage = Usage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.usage
              })
              break
            }
            case 7: {
              obj.startedAt = reader.uint64()
              break
            }
            case 8: {
              obj.finishedAt = reader.uint64()
              break
            }
            case 100: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.provider`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.client`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield * Usage.codec().stream(reader, reader.uint32(), `${prefix}.usage`, {
                limits: opts.limits?.usage
              })

              break
            }
            case 7: {
              yield {
                field: `${prefix}.startedAt`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.finishedAt`,
                value: reader.uint64()
              }
              break
            }
            case 100: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface UsageReceiptVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface UsageReceiptJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface UsageReceiptProviderFieldEvent {
    field: '$.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UsageReceiptClientFieldEvent {
    field: '$.client'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UsageReceiptModelFieldEvent {
    field: '$.model'
    value: string
  }

  export interface UsageReceiptUsagePromptTokensFieldEvent {
    field: '$.usage.promptTokens'
    value: number
  }

  export interface UsageReceiptUsageCachedTokensFieldEvent {
    field: '$.usage.cachedTokens'
    value: number
  }

  export interface UsageReceiptUsageCompletionTokensFieldEvent {
    field: '$.usage.completionTokens'
    value: number
  }

  export interface UsageReceiptUsageReasoningTokensFieldEvent {
    field: '$.usage.reasoningTokens'
    value: number
  }

  export interface UsageReceiptUsageGflopFieldEvent {
    field: '$.usage.gflop'
    value: number
  }

  export interface UsageReceiptUsageCostFieldEvent {
    field: '$.usage.cost'
    value: bigint
  }

  export interface UsageReceiptStartedAtFieldEvent {
    field: '$.startedAt'
    value: bigint
  }

  export interface UsageReceiptFinishedAtFieldEvent {
    field: '$.finishedAt'
    value: bigint
  }

  export interface UsageReceiptSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<UsageReceipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UsageReceipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReceipt>): UsageReceipt {
    return decodeMessage(buf, UsageReceipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageReceipt>): Generator<UsageReceiptVersionFieldEvent | UsageReceiptJobIdFieldEvent | UsageReceiptProviderFieldEvent | UsageReceiptClientFieldEvent | UsageReceiptModelFieldEvent | UsageReceiptUsagePromptTokensFieldEvent | UsageReceiptUsageCachedTokensFieldEvent | UsageReceiptUsageCompletionTokensFieldEvent | UsageReceiptUsageReasoningTokensFieldEvent | UsageReceiptUsageGflopFieldEvent | UsageReceiptUsageCostFieldEvent | UsageReceiptStartedAtFieldEvent | UsageReceiptFinishedAtFieldEvent | UsageReceiptSignatureFieldEvent> {
    return streamMessage(buf, UsageReceipt.codec(), opts)
  }
}

export interface JobFrame {
  request?: JobRequest
  accept?: JobAccept
  reject?: JobReject
  tensorHeader?: TensorHeader
  tensorChunk?: TensorChunk
  tokenChunk?: TokenChunk
  result?: JobResult
  error?: JobError
  voucher?: Voucher
  receipt?: UsageReceipt
  cancel?: JobCancel
}

export namespace JobFrame {
  let _codec: Codec<JobFrame>

  export const codec = (): Codec<JobFrame> => {
    if (_codec == null) {
      _codec = message<JobFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.request != null) {
          w.uint32(10)
          JobRequest.codec().encode(obj.request, w)
        }

        if (obj.accept != null) {
          w.uint32(18)
          JobAccept.codec().encode(obj.accept, w)
        }

        if (obj.reject != null) {
          w.uint32(26)
          JobReject.codec().encode(obj.reject, w)
        }

        if (obj.tensorHeader != null) {
          w.uint32(34)
          TensorHeader.codec().encode(obj.tensorHeader, w)
        }

        if (obj.tensorChunk != null) {
          w.uint32(42)
          TensorChunk.codec().encode(obj.tensorChunk, w)
        }

        if (obj.tokenChunk != null) {
          w.uint32(50)
          TokenChunk.codec().encode(obj.tokenChunk, w)
        }

        if (obj.result != null) {
          w.uint32(58)
          JobResult.codec().encode(obj.result, w)
        }

        if (obj.error != null) {
          w.uint32(66)
          JobError.codec().encode(obj.error, w)
        }

        if (obj.voucher != null) {
          w.uint32(74)
          Voucher.codec().encode(obj.voucher, w)
        }

        if (obj.receipt != null) {
          w.uint32(82)
          UsageReceipt.codec().encode(obj.receipt, w)
        }

        if (obj.cancel != null) {
          w.uint32(90)
          JobCancel.codec().encode(obj.cancel, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.request = JobRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 2: {
              obj.accept = JobAccept.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.accept
              })
              break
            }
            case 3: {
              obj.reject = JobReject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reject
              })
              break
            }
            case 4: {
              obj.tensorHeader = TensorHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tensorHeader
              })
              break
            }
            case 5: {
              obj.tensorChunk = TensorChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tensorChunk
              })
              break
            }
            case 6: {
              obj.tokenChunk = TokenChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tokenChunk
              })
              break
            }
            case 7: {
              obj.result = JobResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 8: {
              obj.error = JobError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 9: {
              obj.voucher = Voucher.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.voucher
              })
              break
            }
            case 10: {
              obj.receipt = UsageReceipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 11: {
              obj.cancel = JobCancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * JobRequest.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                limits: opts.limits?.request
              })

              break
            }
            case 2: {
              yield * JobAccept.codec().stream(reader, reader.uint32(), `${prefix}.accept`, {
                limits: opts.limits?.accept
              })

              break
            }
            case 3: {
              yield * JobReject.codec().stream(reader, reader.uint32(), `${prefix}.reject`, {
                limits: opts.limits?.reject
              })

              break
            }
            case 4: {
              yield * TensorHeader.codec().stream(reader, reader.uint32(), `${prefix}.tensorHeader`, {
                limits: opts.limits?.tensorHeader
              })

              break
            }
            case 5: {
              yield * TensorChunk.codec().stream(reader, reader.uint32(), `${prefix}.tensorChunk`, {
                limits: opts.limits?.tensorChunk
              })

              break
            }
            case 6: {
              yield * TokenChunk.codec().stream(reader, reader.uint32(), `${prefix}.tokenChunk`, {
                limits: opts.limits?.tokenChunk
              })

              break
            }
            case 7: {
              yield * JobResult.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 8: {
              yield * JobError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 9: {
              yield * Voucher.codec().stream(reader, reader.uint32(), `${prefix}.voucher`, {
                limits: opts.limits?.voucher
              })

              break
            }
            case 10: {
              yield * UsageReceipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            case 11: {
              yield * JobCancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobFrameRequestVersionFieldEvent {
    field: '$.request.version'
    value: number
  }

  export interface JobFrameRequestJobIdFieldEvent {
    field: '$.request.jobId'
    value: string
  }

  export interface JobFrameRequestKindFieldEvent {
    field: '$.request.kind'
    value: JobKind
  }

  export interface JobFrameRequestModelFieldEvent {
    field: '$.request.model'
    value: string
  }

  export interface JobFrameRequestMaxPricePerKPromptTokensFieldEvent {
    field: '$.request.maxPrice.perKPromptTokens'
    value: bigint
  }

  export interface JobFrameRequestMaxPricePerKCompletionTokensFieldEvent {
    field: '$.request.maxPrice.perKCompletionTokens'
    value: bigint
  }

  export interface JobFrameRequestMaxPricePerTensorGflopFieldEvent {
    field: '$.request.maxPrice.perTensorGflop'
    value: bigint
  }

  export interface JobFrameRequestBudgetFieldEvent {
    field: '$.request.budget'
    value: bigint
  }

  export interface JobFrameRequestChannelFieldEvent {
    field: '$.request.channel'
    value: string
  }

  export interface JobFrameRequestDeadlineFieldEvent {
    field: '$.request.deadline'
    value: bigint
  }

  export interface JobFrameRequestLlmPromptFieldEvent {
    field: '$.request.llm.prompt'
    value: string
  }

  export interface JobFrameRequestLlmMessagesRoleFieldEvent {
    field: '$.request.llm.messages[].role'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMessagesContentFieldEvent {
    field: '$.request.llm.messages[].content'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMessagesToolCallsIdFieldEvent {
    field: '$.request.llm.messages[].toolCalls[].id'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMessagesToolCallsNameFieldEvent {
    field: '$.request.llm.messages[].toolCalls[].name'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMessagesToolCallsArgumentsFieldEvent {
    field: '$.request.llm.messages[].toolCalls[].arguments'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMessagesToolCallIdFieldEvent {
    field: '$.request.llm.messages[].toolCallId'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmMaxTokensFieldEvent {
    field: '$.request.llm.maxTokens'
    value: number
  }

  export interface JobFrameRequestLlmTemperatureFieldEvent {
    field: '$.request.llm.temperature'
    value: number
  }

  export interface JobFrameRequestLlmSeedFieldEvent {
    field: '$.request.llm.seed'
    value: number
  }

  export interface JobFrameRequestLlmContinuationFieldEvent {
    field: '$.request.llm.continuation'
    value: string
  }

  export interface JobFrameRequestLlmStopFieldEvent {
    field: '$.request.llm.stop[]'
    index: number
    value: string
  }

  export interface JobFrameRequestLlmTopPFieldEvent {
    field: '$.request.llm.topP'
    value: number
  }

  export interface JobFrameRequestLlmPresencePenaltyFieldEvent {
    field: '$.request.llm.presencePenalty'
    value: number
  }

  export interface JobFrameRequestLlmFrequencyPenaltyFieldEvent {
    field: '$.request.llm.frequencyPenalty'
    value: number
  }

  export interface JobFrameRequestLlmConstraintKindFieldEvent {
    field: '$.request.llm.constraint.kind'
    value: OutputConstraintKind
  }

  export interface JobFrameRequestLlmConstraintJsonSchemaFieldEvent {
    field: '$.request.llm.constraint.jsonSchema'
    value: string
  }

  export interface JobFrameRequestLlmConstraintGrammarFieldEvent {
    field: '$.request.llm.constraint.grammar'
    value: string
  }

  export interface JobFrameRequestLlmToolsNameFieldEvent {
    field: '$.request.llm.tools[].name'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmToolsDescriptionFieldEvent {
    field: '$.request.llm.tools[].description'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmToolsParametersFieldEvent {
    field: '$.request.llm.tools[].parameters'
    value: string
    index: number
  }

  export interface JobFrameRequestLlmToolChoiceFieldEvent {
    field: '$.request.llm.toolChoice'
    value: string
  }

  export interface JobFrameRequestLlmToolChoiceNameFieldEvent {
    field: '$.request.llm.toolChoiceName'
    value: string
  }

  export interface JobFrameRequestTensorOpFieldEvent {
    field: '$.request.tensor.op'
    value: string
  }

  export interface JobFrameRequestTensorInputCountFieldEvent {
    field: '$.request.tensor.inputCount'
    value: number
  }

  export interface JobFrameRequestTensorOutputNamesFieldEvent {
    field: '$.request.tensor.outputNames[]'
    index: number
    value: string
  }

  export interface JobFrameRequestMinTrustTierFieldEvent {
    field: '$.request.minTrustTier'
    value: TrustTier
  }

  export interface JobFrameRequestProviderFieldEvent {
    field: '$.request.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameRequestIssuedAtFieldEvent {
    field: '$.request.issuedAt'
    value: bigint
  }

  export interface JobFrameRequestClientKeyFieldEvent {
    field: '$.request.clientKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameRequestClientSignatureFieldEvent {
    field: '$.request.clientSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameRequestEmbeddingInputsFieldEvent {
    field: '$.request.embedding.inputs[]'
    index: number
    value: string
  }

  export interface JobFrameAcceptJobIdFieldEvent {
    field: '$.accept.jobId'
    value: string
  }

  export interface JobFrameAcceptPricePerKPromptTokensFieldEvent {
    field: '$.accept.price.perKPromptTokens'
    value: bigint
  }

  export interface JobFrameAcceptPricePerKCompletionTokensFieldEvent {
    field: '$.accept.price.perKCompletionTokens'
    value: bigint
  }

  export interface JobFrameAcceptPricePerTensorGflopFieldEvent {
    field: '$.accept.price.perTensorGflop'
    value: bigint
  }

  export interface JobFrameAcceptCreditWindowFieldEvent {
    field: '$.accept.creditWindow'
    value: bigint
  }

  export interface JobFrameAcceptQueueDepthFieldEvent {
    field: '$.accept.queueDepth'
    value: number
  }

  export interface JobFrameRejectJobIdFieldEvent {
    field: '$.reject.jobId'
    value: string
  }

  export interface JobFrameRejectReasonFieldEvent {
    field: '$.reject.reason'
    value: RejectReason
  }

  export interface JobFrameRejectMessageFieldEvent {
    field: '$.reject.message'
    value: string
  }

  export interface JobFrameRejectRetryAfterMsFieldEvent {
    field: '$.reject.retryAfterMs'
    value: number
  }

  export interface JobFrameRejectQueueDepthFieldEvent {
    field: '$.reject.queueDepth'
    value: number
  }

  export interface JobFrameTensorHeaderNameFieldEvent {
    field: '$.tensorHeader.name'
    value: string
  }

  export interface JobFrameTensorHeaderDtypeFieldEvent {
    field: '$.tensorHeader.dtype'
    value: DType
  }

  export interface JobFrameTensorHeaderShapeFieldEvent {
    field: '$.tensorHeader.shape[]'
    index: number
    value: bigint
  }

  export interface JobFrameTensorHeaderByteLengthFieldEvent {
    field: '$.tensorHeader.byteLength'
    value: bigint
  }

  export interface JobFrameTensorHeaderSha256FieldEvent {
    field: '$.tensorHeader.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameTensorChunkIndexFieldEvent {
    field: '$.tensorChunk.index'
    value: number
  }

  export interface JobFrameTensorChunkOffsetFieldEvent {
    field: '$.tensorChunk.offset'
    value: bigint
  }

  export interface JobFrameTensorChunkDataFieldEvent {
    field: '$.tensorChunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameTokenChunkTextFieldEvent {
    field: '$.tokenChunk.text'
    value: string
  }

  export interface JobFrameTokenChunkTokensFieldEvent {
    field: '$.tokenChunk.tokens'
    value: number
  }

  export interface JobFrameTokenChunkTotalTokensFieldEvent {
    field: '$.tokenChunk.totalTokens'
    value: number
  }

  export interface JobFrameResultJobIdFieldEvent {
    field: '$.result.jobId'
    value: string
  }

  export interface JobFrameResultUsagePromptTokensFieldEvent {
    field: '$.result.usage.promptTokens'
    value: number
  }

  export interface JobFrameResultUsageCachedTokensFieldEvent {
    field: '$.result.usage.cachedTokens'
    value: number
  }

  export interface JobFrameResultUsageCompletionTokensFieldEvent {
    field: '$.result.usage.completionTokens'
    value: number
  }

  export interface JobFrameResultUsageReasoningTokensFieldEvent {
    field: '$.result.usage.reasoningTokens'
    value: number
  }

  export interface JobFrameResultUsageGflopFieldEvent {
    field: '$.result.usage.gflop'
    value: number
  }

  export interface JobFrameResultUsageCostFieldEvent {
    field: '$.result.usage.cost'
    value: bigint
  }

  export interface JobFrameResultBackendFieldEvent {
    field: '$.result.backend'
    value: string
  }

  export interface JobFrameResultFinishReasonFieldEvent {
    field: '$.result.finishReason'
    value: string
  }

  export interface JobFrameResultToolCallsIdFieldEvent {
    field: '$.result.toolCalls[].id'
    value: string
    index: number
  }

  export interface JobFrameResultToolCallsNameFieldEvent {
    field: '$.result.toolCalls[].name'
    value: string
    index: number
  }

  export interface JobFrameResultToolCallsArgumentsFieldEvent {
    field: '$.result.toolCalls[].arguments'
    value: string
    index: number
  }

  export interface JobFrameErrorJobIdFieldEvent {
    field: '$.error.jobId'
    value: string
  }

  export interface JobFrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: JobErrorCode
  }

  export interface JobFrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface JobFrameErrorContextLimitContextSizeFieldEvent {
    field: '$.error.contextLimit.contextSize'
    value: number
  }

  export interface JobFrameErrorContextLimitPromptTokensFieldEvent {
    field: '$.error.contextLimit.promptTokens'
    value: number
  }

  export interface JobFrameErrorContextLimitMaxTokensFieldEvent {
    field: '$.error.contextLimit.maxTokens'
    value: number
  }

  export interface JobFrameVoucherChannelFieldEvent {
    field: '$.voucher.channel'
    value: string
  }

  export interface JobFrameVoucherAmountFieldEvent {
    field: '$.voucher.amount'
    value: bigint
  }

  export interface JobFrameVoucherJobIdFieldEvent {
    field: '$.voucher.jobId'
    value: string
  }

  export interface JobFrameVoucherSignatureFieldEvent {
    field: '$.voucher.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameReceiptVersionFieldEvent {
    field: '$.receipt.version'
    value: number
  }

  export interface JobFrameReceiptJobIdFieldEvent {
    field: '$.receipt.jobId'
    value: string
  }

  export interface JobFrameReceiptProviderFieldEvent {
    field: '$.receipt.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameReceiptClientFieldEvent {
    field: '$.receipt.client'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameReceiptModelFieldEvent {
    field: '$.receipt.model'
    value: string
  }

  export interface JobFrameReceiptUsagePromptTokensFieldEvent {
    field: '$.receipt.usage.promptTokens'
    value: number
  }

  export interface JobFrameReceiptUsageCachedTokensFieldEvent {
    field: '$.receipt.usage.cachedTokens'
    value: number
  }

  export interface JobFrameReceiptUsageCompletionTokensFieldEvent {
    field: '$.receipt.usage.completionTokens'
    value: number
  }

  export interface JobFrameReceiptUsageReasoningTokensFieldEvent {
    field: '$.receipt.usage.reasoningTokens'
    value: number
  }

  export interface JobFrameReceiptUsageGflopFieldEvent {
    field: '$.receipt.usage.gflop'
    value: number
  }

  export interface JobFrameReceiptUsageCostFieldEvent {
    field: '$.receipt.usage.cost'
    value: bigint
  }

  export interface JobFrameReceiptStartedAtFieldEvent {
    field: '$.receipt.startedAt'
    value: bigint
  }

  export interface JobFrameReceiptFinishedAtFieldEvent {
    field: '$.receipt.finishedAt'
    value: bigint
  }

  export interface JobFrameReceiptSignatureFieldEvent {
    field: '$.receipt.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobFrameCancelJobIdFieldEvent {
    field: '$.cancel.jobId'
    value: string
  }

  export function encode (obj: Partial<JobFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobFrame>): JobFrame {
    return decodeMessage(buf, JobFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobFrame>): Generator<JobFrameRequestVersionFieldEvent | JobFrameRequestJobIdFieldEvent | JobFrameRequestKindFieldEvent | JobFrameRequestModelFieldEvent | JobFrameRequestMaxPricePerKPromptTokensFieldEvent | JobFrameRequestMaxPricePerKCompletionTokensFieldEvent | JobFrameRequestMaxPricePerTensorGflopFieldEvent | JobFrameRequestBudgetFieldEvent | JobFrameRequestChannelFieldEvent | JobFrameRequestDeadlineFieldEvent | JobFrameRequestLlmPromptFieldEvent | JobFrameRequestLlmMessagesRoleFieldEvent | JobFrameRequestLlmMessagesContentFieldEvent | JobFrameRequestLlmMessagesToolCallsIdFieldEvent | JobFrameRequestLlmMessagesToolCallsNameFieldEvent | JobFrameRequestLlmMessagesToolCallsArgumentsFieldEvent | JobFrameRequestLlmMessagesToolCallIdFieldEvent | JobFrameRequestLlmMaxTokensFieldEvent | JobFrameRequestLlmTemperatureFieldEvent | JobFrameRequestLlmSeedFieldEvent | JobFrameRequestLlmContinuationFieldEvent | JobFrameRequestLlmStopFieldEvent | JobFrameRequestLlmTopPFieldEvent | JobFrameRequestLlmPresencePenaltyFieldEvent | JobFrameRequestLlmFrequencyPenaltyFieldEvent | JobFrameRequestLlmConstraintKindFieldEvent | JobFrameRequestLlmConstraintJsonSchemaFieldEvent | JobFrameRequestLlmConstraintGrammarFieldEvent | JobFrameRequestLlmToolsNameFieldEvent | JobFrameRequestLlmToolsDescriptionFieldEvent | JobFrameRequestLlmToolsParametersFieldEvent | JobFrameRequestLlmToolChoiceFieldEvent | JobFrameRequestLlmToolChoiceNameFieldEvent | JobFrameRequestTensorOpFieldEvent | JobFrameRequestTensorInputCountFieldEvent | JobFrameRequestTensorOutputNamesFieldEvent | JobFrameRequestMinTrustTierFieldEvent | JobFrameRequestProviderFieldEvent | JobFrameRequestIssuedAtFieldEvent | JobFrameRequestClientKeyFieldEvent | JobFrameRequestClientSignatureFieldEvent | JobFrameRequestEmbeddingInputsFieldEvent | JobFrameAcceptJobIdFieldEvent | JobFrameAcceptPricePerKPromptTokensFieldEvent | JobFrameAcceptPricePerKCompletionTokensFieldEvent | JobFrameAcceptPricePerTensorGflopFieldEvent | JobFrameAcceptCreditWindowFieldEvent | JobFrameAcceptQueueDepthFieldEvent | JobFrameRejectJobIdFieldEvent | JobFrameRejectReasonFieldEvent | JobFrameRejectMessageFieldEvent | JobFrameRejectRetryAfterMsFieldEvent | JobFrameRejectQueueDepthFieldEvent | JobFrameTensorHeaderNameFieldEvent | JobFrameTensorHeaderDtypeFieldEvent | JobFrameTensorHeaderShapeFieldEvent | JobFrameTensorHeaderByteLengthFieldEvent | JobFrameTensorHeaderSha256FieldEvent | JobFrameTensorChunkIndexFieldEvent | JobFrameTensorChunkOffsetFieldEvent | JobFrameTensorChunkDataFieldEvent | JobFrameTokenChunkTextFieldEvent | JobFrameTokenChunkTokensFieldEvent | JobFrameTokenChunkTotalTokensFieldEvent | JobFrameResultJobIdFieldEvent | JobFrameResultUsagePromptTokensFieldEvent | JobFrameResultUsageCachedTokensFieldEvent | JobFrameResultUsageCompletionTokensFieldEvent | JobFrameResultUsageReasoningTokensFieldEvent | JobFrameResultUsageGflopFieldEvent | JobFrameResultUsageCostFieldEvent | JobFrameResultBackendFieldEvent | JobFrameResultFinishReasonFieldEvent | JobFrameResultToolCallsIdFieldEvent | JobFrameResultToolCallsNameFieldEvent | JobFrameResultToolCallsArgumentsFieldEvent | JobFrameErrorJobIdFieldEvent | JobFrameErrorCodeFieldEvent | JobFrameErrorMessageFieldEvent | JobFrameErrorContextLimitContextSizeFieldEvent | JobFrameErrorContextLimitPromptTokensFieldEvent | JobFrameErrorContextLimitMaxTokensFieldEvent | JobFrameVoucherChannelFieldEvent | JobFrameVoucherAmountFieldEvent | JobFrameVoucherJobIdFieldEvent | JobFrameVoucherSignatureFieldEvent | JobFrameReceiptVersionFieldEvent | JobFrameReceiptJobIdFieldEvent | JobFrameReceiptProviderFieldEvent | JobFrameReceiptClientFieldEvent | JobFrameReceiptModelFieldEvent | JobFrameReceiptUsagePromptTokensFieldEvent | JobFrameReceiptUsageCachedTokensFieldEvent | JobFrameReceiptUsageCompletionTokensFieldEvent | JobFrameReceiptUsageReasoningTokensFieldEvent | JobFrameReceiptUsageGflopFieldEvent | JobFrameReceiptUsageCostFieldEvent | JobFrameReceiptStartedAtFieldEvent | JobFrameReceiptFinishedAtFieldEvent | JobFrameReceiptSignatureFieldEvent | JobFrameCancelJobIdFieldEvent> {
    return streamMessage(buf, JobFrame.codec(), opts)
  }
}

export interface OffersRequest {
  model: string
}

export namespace OffersRequest {
  let _codec: Codec<OffersRequest>

  export const codec = (): Codec<OffersRequest> => {
    if (_codec == null) {
      _codec = message<OffersRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.model != null && obj.model !== '')) {
          w.uint32(10)
          w.string(obj.model)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          model: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.model = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.model`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OffersRequestModelFieldEvent {
    field: '$.model'
    value: string
  }

  export function encode (obj: Partial<OffersRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OffersRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OffersRequest>): OffersRequest {
    return decodeMessage(buf, OffersRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OffersRequest>): Generator<OffersRequestModelFieldEvent> {
    return streamMessage(buf, OffersRequest.codec(), opts)
  }
}

export interface OffersResponse {
  offers: Offer[]
}

export namespace OffersResponse {
  let _codec: Codec<OffersResponse>

  export const codec = (): Codec<OffersResponse> => {
    if (_codec == null) {
      _codec = message<OffersResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.offers != null && obj.offers.length > 0) {
          for (const value of obj.offers) {
            w.uint32(10)
            Offer.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          offers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.offers != null && obj.offers.length === opts.limits.offers) {
                throw new MaxLengthError('Decode error - repeated field "offers" had too many elements')
              }

              obj.offers.push(Offer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offers$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          offers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.offers != null && obj.offers === opts.limits.offers) {
                throw new MaxLengthError('Streaming decode error - repeated field "offers" had too many elements')
              }

              for (const evt of Offer.codec().stream(reader, reader.uint32(), `${prefix}.offers[]`, {
                limits: opts.limits?.offers$
              })) {
                yield {
                  ...evt,
                  index: obj.offers
                }
              }

              obj.offers++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OffersResponseOffersVersionFieldEvent {
    field: '$.offers[].version'
    value: number
    index: number
  }

  export interface OffersResponseOffersProviderFieldEvent {
    field: '$.offers[].provider'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OffersResponseOffersGpuModelFieldEvent {
    field: '$.offers[].gpu.model'
    value: string
    index: number
  }

  export interface OffersResponseOffersGpuVramMbFieldEvent {
    field: '$.offers[].gpu.vramMb'
    value: number
    index: number
  }

  export interface OffersResponseOffersGpuBackendFieldEvent {
    field: '$.offers[].gpu.backend'
    value: string
    index: number
  }

  export interface OffersResponseOffersJobKindsFieldEvent {
    field: '$.offers[].jobKinds[]'
    index: number
    value: string
  }

  export interface OffersResponseOffersModelsFieldEvent {
    field: '$.offers[].models[]'
    index: number
    value: string
  }

  export interface OffersResponseOffersPricesPerKPromptTokensFieldEvent {
    field: '$.offers[].prices.perKPromptTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersPricesPerKCompletionTokensFieldEvent {
    field: '$.offers[].prices.perKCompletionTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersPricesPerTensorGflopFieldEvent {
    field: '$.offers[].prices.perTensorGflop'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersMaxConcurrencyFieldEvent {
    field: '$.offers[].maxConcurrency'
    value: number
    index: number
  }

  export interface OffersResponseOffersRegionFieldEvent {
    field: '$.offers[].region'
    value: string
    index: number
  }

  export interface OffersResponseOffersPayoutAddressFieldEvent {
    field: '$.offers[].payoutAddress'
    value: string
    index: number
  }

  export interface OffersResponseOffersAttestationFieldEvent {
    field: '$.offers[].attestation'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OffersResponseOffersIssuedAtFieldEvent {
    field: '$.offers[].issuedAt'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersExpiresAtFieldEvent {
    field: '$.offers[].expiresAt'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersSequenceFieldEvent {
    field: '$.offers[].sequence'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersTrustTierFieldEvent {
    field: '$.offers[].trustTier'
    value: TrustTier
    index: number
  }

  export interface OffersResponseOffersTokensPerSecondFieldEvent {
    field: '$.offers[].tokensPerSecond'
    value: number
    index: number
  }

  export interface OffersResponseOffersGflopsFieldEvent {
    field: '$.offers[].gflops'
    value: number
    index: number
  }

  export interface OffersResponseOffersSettlementKeyFieldEvent {
    field: '$.offers[].settlementKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OffersResponseOffersAddrsFieldEvent {
    field: '$.offers[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OffersResponseOffersAttestedPricesPerKPromptTokensFieldEvent {
    field: '$.offers[].attestedPrices.perKPromptTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersAttestedPricesPerKCompletionTokensFieldEvent {
    field: '$.offers[].attestedPrices.perKCompletionTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersAttestedPricesPerTensorGflopFieldEvent {
    field: '$.offers[].attestedPrices.perTensorGflop'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersFeaturesFieldEvent {
    field: '$.offers[].features[]'
    index: number
    value: string
  }

  export interface OffersResponseOffersContextSizeFieldEvent {
    field: '$.offers[].contextSize'
    value: number
    index: number
  }

  export interface OffersResponseOffersModelPricesModelFieldEvent {
    field: '$.offers[].modelPrices[].model'
    value: string
    index: number
  }

  export interface OffersResponseOffersModelPricesPricesPerKPromptTokensFieldEvent {
    field: '$.offers[].modelPrices[].prices.perKPromptTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersModelPricesPricesPerKCompletionTokensFieldEvent {
    field: '$.offers[].modelPrices[].prices.perKCompletionTokens'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersModelPricesPricesPerTensorGflopFieldEvent {
    field: '$.offers[].modelPrices[].prices.perTensorGflop'
    value: bigint
    index: number
  }

  export interface OffersResponseOffersSignatureFieldEvent {
    field: '$.offers[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<OffersResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OffersResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OffersResponse>): OffersResponse {
    return decodeMessage(buf, OffersResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OffersResponse>): Generator<OffersResponseOffersVersionFieldEvent | OffersResponseOffersProviderFieldEvent | OffersResponseOffersGpuModelFieldEvent | OffersResponseOffersGpuVramMbFieldEvent | OffersResponseOffersGpuBackendFieldEvent | OffersResponseOffersJobKindsFieldEvent | OffersResponseOffersModelsFieldEvent | OffersResponseOffersPricesPerKPromptTokensFieldEvent | OffersResponseOffersPricesPerKCompletionTokensFieldEvent | OffersResponseOffersPricesPerTensorGflopFieldEvent | OffersResponseOffersMaxConcurrencyFieldEvent | OffersResponseOffersRegionFieldEvent | OffersResponseOffersPayoutAddressFieldEvent | OffersResponseOffersAttestationFieldEvent | OffersResponseOffersIssuedAtFieldEvent | OffersResponseOffersExpiresAtFieldEvent | OffersResponseOffersSequenceFieldEvent | OffersResponseOffersTrustTierFieldEvent | OffersResponseOffersTokensPerSecondFieldEvent | OffersResponseOffersGflopsFieldEvent | OffersResponseOffersSettlementKeyFieldEvent | OffersResponseOffersAddrsFieldEvent | OffersResponseOffersAttestedPricesPerKPromptTokensFieldEvent | OffersResponseOffersAttestedPricesPerKCompletionTokensFieldEvent | OffersResponseOffersAttestedPricesPerTensorGflopFieldEvent | OffersResponseOffersFeaturesFieldEvent | OffersResponseOffersContextSizeFieldEvent | OffersResponseOffersModelPricesModelFieldEvent | OffersResponseOffersModelPricesPricesPerKPromptTokensFieldEvent | OffersResponseOffersModelPricesPricesPerKCompletionTokensFieldEvent | OffersResponseOffersModelPricesPricesPerTensorGflopFieldEvent | OffersResponseOffersSignatureFieldEvent> {
    return streamMessage(buf, OffersResponse.codec(), opts)
  }
}

export enum TeeKind {
  TEE_KIND_UNSPECIFIED = 'TEE_KIND_UNSPECIFIED',
  TEE_KIND_TDX = 'TEE_KIND_TDX',
  TEE_KIND_SGX = 'TEE_KIND_SGX',
  TEE_KIND_SEV_SNP = 'TEE_KIND_SEV_SNP'
}

enum __TeeKindValues {
  TEE_KIND_UNSPECIFIED = 0,
  TEE_KIND_TDX = 1,
  TEE_KIND_SGX = 2,
  TEE_KIND_SEV_SNP = 3
}

export namespace TeeKind {
  export const codec = (): Codec<TeeKind> => {
    return enumeration<TeeKind>(__TeeKindValues)
  }
}

export interface DcapCollateral {
  pckCrlIssuerChain: string
  rootCaCrl: Uint8Array<ArrayBuffer>
  pckCrl: Uint8Array<ArrayBuffer>
  tcbInfoIssuerChain: string
  tcbInfo: string
  tcbInfoSignature: Uint8Array<ArrayBuffer>
  qeIdentityIssuerChain: string
  qeIdentity: string
  qeIdentitySignature: Uint8Array<ArrayBuffer>
}

export namespace DcapCollateral {
  let _codec: Codec<DcapCollateral>

  export const codec = (): Codec<DcapCollateral> => {
    if (_codec == null) {
      _codec = message<DcapCollateral>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.pckCrlIssuerChain != null && obj.pckCrlIssuerChain !== '')) {
          w.uint32(10)
          w.string(obj.pckCrlIssuerChain)
        }

        if ((obj.rootCaCrl != null && obj.rootCaCrl.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.rootCaCrl)
        }

        if ((obj.pckCrl != null && obj.pckCrl.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.pckCrl)
        }

        if ((obj.tcbInfoIssuerChain != null && obj.tcbInfoIssuerChain !== '')) {
          w.uint32(34)
          w.string(obj.tcbInfoIssuerChain)
        }

        if ((obj.tcbInfo != null && obj.tcbInfo !== '')) {
          w.uint32(42)
          w.string(obj.tcbInfo)
        }

        if ((obj.tcbInfoSignature != null && obj.tcbInfoSignature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.tcbInfoSignature)
        }

        if ((obj.qeIdentityIssuerChain != null && obj.qeIdentityIssuerChain !== '')) {
          w.uint32(58)
          w.string(obj.qeIdentityIssuerChain)
        }

        if ((obj.qeIdentity != null && obj.qeIdentity !== '')) {
          w.uint32(66)
          w.string(obj.qeIdentity)
        }

        if ((obj.qeIdentitySignature != null && obj.qeIdentitySignature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.qeIdentitySignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          pckCrlIssuerChain: '',
          rootCaCrl: uint8ArrayAlloc(0),
          pckCrl: uint8ArrayAlloc(0),
          tcbInfoIssuerChain: '',
          tcbInfo: '',
          tcbInfoSignature: uint8ArrayAlloc(0),
          qeIdentityIssuerChain: '',
          qeIdentity: '',
          qeIdentitySignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.pckCrlIssuerChain = reader.string()
              break
            }
            case 2: {
              obj.rootCaCrl = reader.bytes()
              break
            }
            case 3: {
              obj.pckCrl = reader.bytes()
              break
            }
            case 4: {
              obj.tcbInfoIssuerChain = reader.string()
              break
            }
            case 5: {
              obj.tcbInfo = reader.string()
              break
            }
            case 6: {
              obj.tcbInfoSignature = reader.bytes()
              break
            }
            case 7: {
              obj.qeIdentityIssuerChain = reader.string()
              break
            }
            case 8: {
              obj.qeIdentity = reader.string()
              break
            }
            case 9: {
              obj.qeIdentitySignature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.pckCrlIssuerChain`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.rootCaCrl`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pckCrl`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.tcbInfoIssuerChain`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tcbInfo`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.tcbInfoSignature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.qeIdentityIssuerChain`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.qeIdentity`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.qeIdentitySignature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DcapCollateralPckCrlIssuerChainFieldEvent {
    field: '$.pckCrlIssuerChain'
    value: string
  }

  export interface DcapCollateralRootCaCrlFieldEvent {
    field: '$.rootCaCrl'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DcapCollateralPckCrlFieldEvent {
    field: '$.pckCrl'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DcapCollateralTcbInfoIssuerChainFieldEvent {
    field: '$.tcbInfoIssuerChain'
    value: string
  }

  export interface DcapCollateralTcbInfoFieldEvent {
    field: '$.tcbInfo'
    value: string
  }

  export interface DcapCollateralTcbInfoSignatureFieldEvent {
    field: '$.tcbInfoSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DcapCollateralQeIdentityIssuerChainFieldEvent {
    field: '$.qeIdentityIssuerChain'
    value: string
  }

  export interface DcapCollateralQeIdentityFieldEvent {
    field: '$.qeIdentity'
    value: string
  }

  export interface DcapCollateralQeIdentitySignatureFieldEvent {
    field: '$.qeIdentitySignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DcapCollateral>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DcapCollateral.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DcapCollateral>): DcapCollateral {
    return decodeMessage(buf, DcapCollateral.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DcapCollateral>): Generator<DcapCollateralPckCrlIssuerChainFieldEvent | DcapCollateralRootCaCrlFieldEvent | DcapCollateralPckCrlFieldEvent | DcapCollateralTcbInfoIssuerChainFieldEvent | DcapCollateralTcbInfoFieldEvent | DcapCollateralTcbInfoSignatureFieldEvent | DcapCollateralQeIdentityIssuerChainFieldEvent | DcapCollateralQeIdentityFieldEvent | DcapCollateralQeIdentitySignatureFieldEvent> {
    return streamMessage(buf, DcapCollateral.codec(), opts)
  }
}

export interface AttestationEvidence {
  version: number
  tee: TeeKind
  quote: Uint8Array<ArrayBuffer>
  dcapCollateral?: DcapCollateral
  sevAuxBlob: Uint8Array<ArrayBuffer>
  gpuToken: string
  bindingVersion: number
}

export namespace AttestationEvidence {
  let _codec: Codec<AttestationEvidence>

  export const codec = (): Codec<AttestationEvidence> => {
    if (_codec == null) {
      _codec = message<AttestationEvidence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.tee != null && __TeeKindValues[obj.tee] !== 0) {
          w.uint32(16)
          TeeKind.codec().encode(obj.tee, w)
        }

        if ((obj.quote != null && obj.quote.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.quote)
        }

        if (obj.dcapCollateral != null) {
          w.uint32(34)
          DcapCollateral.codec().encode(obj.dcapCollateral, w)
        }

        if ((obj.sevAuxBlob != null && obj.sevAuxBlob.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.sevAuxBlob)
        }

        if ((obj.gpuToken != null && obj.gpuToken !== '')) {
          w.uint32(50)
          w.string(obj.gpuToken)
        }

        if ((obj.bindingVersion != null && obj.bindingVersion !== 0)) {
          w.uint32(56)
          w.uint32(obj.bindingVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          tee: TeeKind.TEE_KIND_UNSPECIFIED,
          quote: uint8ArrayAlloc(0),
          sevAuxBlob: uint8ArrayAlloc(0),
          gpuToken: '',
          bindingVersion: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.tee = TeeKind.codec().decode(reader)
              break
            }
            case 3: {
              obj.quote = reader.bytes()
              break
            }
            case 4: {
              obj.dcapCollateral = DcapCollateral.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dcapCollateral
              })
              break
            }
            case 5: {
              obj.sevAuxBlob = reader.bytes()
              break
            }
            case 6: {
              obj.gpuToken = reader.string()
              break
            }
            case 7: {
              obj.bindingVersion = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tee`,
                value: TeeKind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.quote`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * DcapCollateral.codec().stream(reader, reader.uint32(), `${prefix}.dcapCollateral`, {
                limits: opts.limits?.dcapCollateral
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.sevAuxBlob`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.gpuToken`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.bindingVersion`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttestationEvidenceVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface AttestationEvidenceTeeFieldEvent {
    field: '$.tee'
    value: TeeKind
  }

  export interface AttestationEvidenceQuoteFieldEvent {
    field: '$.quote'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceDcapCollateralPckCrlIssuerChainFieldEvent {
    field: '$.dcapCollateral.pckCrlIssuerChain'
    value: string
  }

  export interface AttestationEvidenceDcapCollateralRootCaCrlFieldEvent {
    field: '$.dcapCollateral.rootCaCrl'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceDcapCollateralPckCrlFieldEvent {
    field: '$.dcapCollateral.pckCrl'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceDcapCollateralTcbInfoIssuerChainFieldEvent {
    field: '$.dcapCollateral.tcbInfoIssuerChain'
    value: string
  }

  export interface AttestationEvidenceDcapCollateralTcbInfoFieldEvent {
    field: '$.dcapCollateral.tcbInfo'
    value: string
  }

  export interface AttestationEvidenceDcapCollateralTcbInfoSignatureFieldEvent {
    field: '$.dcapCollateral.tcbInfoSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceDcapCollateralQeIdentityIssuerChainFieldEvent {
    field: '$.dcapCollateral.qeIdentityIssuerChain'
    value: string
  }

  export interface AttestationEvidenceDcapCollateralQeIdentityFieldEvent {
    field: '$.dcapCollateral.qeIdentity'
    value: string
  }

  export interface AttestationEvidenceDcapCollateralQeIdentitySignatureFieldEvent {
    field: '$.dcapCollateral.qeIdentitySignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceSevAuxBlobFieldEvent {
    field: '$.sevAuxBlob'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttestationEvidenceGpuTokenFieldEvent {
    field: '$.gpuToken'
    value: string
  }

  export interface AttestationEvidenceBindingVersionFieldEvent {
    field: '$.bindingVersion'
    value: number
  }

  export function encode (obj: Partial<AttestationEvidence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttestationEvidence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttestationEvidence>): AttestationEvidence {
    return decodeMessage(buf, AttestationEvidence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttestationEvidence>): Generator<AttestationEvidenceVersionFieldEvent | AttestationEvidenceTeeFieldEvent | AttestationEvidenceQuoteFieldEvent | AttestationEvidenceDcapCollateralPckCrlIssuerChainFieldEvent | AttestationEvidenceDcapCollateralRootCaCrlFieldEvent | AttestationEvidenceDcapCollateralPckCrlFieldEvent | AttestationEvidenceDcapCollateralTcbInfoIssuerChainFieldEvent | AttestationEvidenceDcapCollateralTcbInfoFieldEvent | AttestationEvidenceDcapCollateralTcbInfoSignatureFieldEvent | AttestationEvidenceDcapCollateralQeIdentityIssuerChainFieldEvent | AttestationEvidenceDcapCollateralQeIdentityFieldEvent | AttestationEvidenceDcapCollateralQeIdentitySignatureFieldEvent | AttestationEvidenceSevAuxBlobFieldEvent | AttestationEvidenceGpuTokenFieldEvent | AttestationEvidenceBindingVersionFieldEvent> {
    return streamMessage(buf, AttestationEvidence.codec(), opts)
  }
}
