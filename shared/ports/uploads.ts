// Upload URLs: a partner never needs the storage account's keys; it asks for a URL that can create one blob.

export interface UploadUrlIssuer {
  /** A URL that can only create drops/{blobName} (not overwrite, read or list), valid until `expiresAt`. */
  createOnlyUrl(blobName: string, expiresAt: Date): Promise<string>;
  /** Whether drops/{blobName} exists now (a file of that name is waiting to be ingested). */
  exists(blobName: string): Promise<boolean>;
}
