import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type UserDelegationKey,
} from "@azure/storage-blob";
import { names } from "../../config.js";
import { StoreUnavailableError } from "../../errors.js";
import type { UploadUrlIssuer } from "../../ports/uploads.js";

// Upload URLs for one blob under drops/. In Azure they are user-delegation SAS, signed with a key the app's
// identity asks Entra ID for (role Storage Blob Delegator), so no account key exists anywhere; locally the
// emulator's well-known account key signs them. Permission "c" only: create a new blob, never overwrite one,
// read or list.

const delegationKeyHours = 6;

export function createUploadUrlIssuer(blobs: BlobServiceClient): UploadUrlIssuer {
  const drops = blobs.getContainerClient(names.blobContainers.drops);
  let delegation: { key: UserDelegationKey; validUntil: number } | undefined;

  async function delegationKey(expiresAt: Date): Promise<UserDelegationKey> {
    // One key serves many URLs; a new one is asked for well before the old one expires.
    if (delegation && delegation.validUntil > expiresAt.getTime()) return delegation.key;
    const startsOn = new Date(Date.now() - 5 * 60_000);
    const expiresOn = new Date(Date.now() + delegationKeyHours * 3_600_000);
    const key = await blobs.getUserDelegationKey(startsOn, expiresOn);
    delegation = { key, validUntil: expiresOn.getTime() - 60 * 60_000 };
    return key;
  }

  return {
    async createOnlyUrl(blobName, expiresAt) {
      const blob = drops.getBlockBlobClient(blobName);
      const values = {
        containerName: drops.containerName,
        blobName,
        permissions: BlobSASPermissions.parse("c"),
        // A few minutes back, so a client whose clock runs a little behind can still use it.
        startsOn: new Date(Date.now() - 5 * 60_000),
        expiresOn: expiresAt,
        protocol: blob.url.startsWith("https:") ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      };
      try {
        const query =
          blobs.credential instanceof StorageSharedKeyCredential
            ? generateBlobSASQueryParameters(values, blobs.credential).toString()
            : generateBlobSASQueryParameters(values, await delegationKey(expiresAt), blobs.accountName).toString();
        return `${blob.url}?${query}`;
      } catch (err) {
        throw new StoreUnavailableError("creating an upload URL failed", { cause: err });
      }
    },

    async exists(blobName) {
      try {
        return await drops.getBlobClient(blobName).exists();
      } catch (err) {
        throw new StoreUnavailableError("checking the drops folder failed", { cause: err });
      }
    },
  };
}
