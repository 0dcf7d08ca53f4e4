// Type-checked as a bundler sees it; the emitted ESM runs on Node.
import {
  ATTESTATION_HEADER_NAME,
  AttestationStatus,
  ServerRequestMethod,
  isValidAttestationToken,
  type AttestationHeader,
  type ServerRequestMap,
} from "@attestwire/protocol";

type Generate = ServerRequestMap[typeof ServerRequestMethod.AttestationGenerate];

const answer: Generate["response"] = { token: "v1.opaque-client-payload" };
const header: AttestationHeader = { v: 1, s: AttestationStatus.Ok, t: answer.token };
// @ts-expect-error 7 is no status; unused (an error) if the types were not found
export const notAStatus: AttestationStatus = 7;

console.log(
  JSON.stringify({
    consumer: "bundler",
    // The file Node loaded, from the package's own folder on.
    loaded: import.meta.resolve("@attestwire/protocol").split("/node_modules/").pop(),
    header: `${ATTESTATION_HEADER_NAME}: ${JSON.stringify(header)}`,
    timeout: AttestationStatus.Timeout,
    valid: [isValidAttestationToken(answer.token), isValidAttestationToken("a b")],
  }),
);
