/**
 * Bucket configuration subresources (`?policy`, `?encryption`,
 * `?versioning`, `?lifecycle`, `?publicAccessBlock`, ...): accepted and
 * kept as the documents the client sent, answered back as sent; what S3
 * answers when one was never set. None of them changes how objects are
 * stored here (encryption, lifecycle and policies are not emulated).
 */
import { S3_XMLNS } from './s3-xml';

export interface ConfigKind {
  /** error S3 answers a GET with when the configuration was never set; none = `empty` */
  missing?: { code: string; message: string };
  /** document a GET answers when never set */
  empty?: string;
  contentType?: string;
}

const doc = (root: string, inner = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;

export const CONFIG_KINDS: Record<string, ConfigKind> = {
  policy: {
    missing: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
    contentType: 'application/json',
  },
  // Since 2023 every bucket is encrypted with SSE-S3 unless configured otherwise.
  encryption: {
    empty: doc(
      'ServerSideEncryptionConfiguration',
      '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>',
    ),
  },
  versioning: { empty: doc('VersioningConfiguration') },
  lifecycle: {
    missing: {
      code: 'NoSuchLifecycleConfiguration',
      message: 'The lifecycle configuration does not exist',
    },
  },
  publicAccessBlock: {
    missing: {
      code: 'NoSuchPublicAccessBlockConfiguration',
      message: 'The public access block configuration was not found',
    },
  },
  tagging: { missing: { code: 'NoSuchTagSet', message: 'The TagSet does not exist' } },
  ownershipControls: {
    missing: {
      code: 'OwnershipControlsNotFoundError',
      message: 'The bucket ownership controls were not found',
    },
  },
  cors: {
    missing: { code: 'NoSuchCORSConfiguration', message: 'The CORS configuration does not exist' },
  },
  website: {
    missing: {
      code: 'NoSuchWebsiteConfiguration',
      message: 'The specified bucket does not have a website configuration',
    },
  },
  notification: { empty: doc('NotificationConfiguration') },
  logging: { empty: doc('BucketLoggingStatus') },
  accelerate: { empty: doc('AccelerateConfiguration') },
  requestPayment: { empty: doc('RequestPaymentConfiguration', '<Payer>BucketOwner</Payer>') },
  replication: {
    missing: {
      code: 'ReplicationConfigurationNotFoundError',
      message: 'The replication configuration was not found',
    },
  },
  'object-lock': {
    missing: {
      code: 'ObjectLockConfigurationNotFoundError',
      message: 'Object Lock configuration does not exist for this bucket',
    },
  },
  acl: {
    empty: doc(
      'AccessControlPolicy',
      '<Owner><ID>owner</ID><DisplayName>owner</DisplayName></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner</ID><DisplayName>owner</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>',
    ),
  },
};

/** The configuration subresource a query names, if any. */
export function configKindOf(query: URLSearchParams): string | undefined {
  for (const k of Object.keys(CONFIG_KINDS)) if (query.has(k)) return k;
  return undefined;
}
