import type { EvidenceDecodeError } from './errors.js'
import type {
  AttestationVerdict,
  CheckName,
  GpuVerdict,
  NotAttestedReason,
  TeeName,
  VerificationCheck,
} from './types.js'

/** Collects checks and the fields read so far, and ends as an 'attested' or an 'open' verdict. */
export class VerdictBuilder {
  tee: TeeName | null = null
  tcbStatus: AttestationVerdict['tcbStatus'] = null
  advisoryIds: string[] = []
  measurements: AttestationVerdict['measurements'] = null
  reportData: string | null = null
  gpu: GpuVerdict = 'not-attested'
  error: EvidenceDecodeError | undefined
  readonly checks: VerificationCheck[] = []

  pass(name: CheckName, detail: string): void {
    this.checks.push({ name, ok: true, detail })
  }

  check(name: CheckName, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail })
  }

  fail(name: CheckName, reason: NotAttestedReason, detail: string): AttestationVerdict {
    this.checks.push({ name, ok: false, detail })
    const verdict = this.base('open')
    verdict.reason = reason
    if (this.error !== undefined) verdict.error = this.error
    return verdict
  }

  attested(): AttestationVerdict {
    return this.base('attested')
  }

  private base(tier: AttestationVerdict['tier']): AttestationVerdict {
    return {
      tier,
      tee: this.tee,
      tcbStatus: this.tcbStatus,
      advisoryIds: this.advisoryIds,
      measurements: this.measurements,
      reportData: this.reportData,
      gpu: this.gpu,
      checks: this.checks,
      cached: false,
    }
  }
}
