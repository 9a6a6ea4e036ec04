import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, DockerImage, Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../../lib/local/console.js';
import type { EnvironmentSettings } from '../settings.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds the web console into `outDir` with the same Vite config `npm start` uses (the asset the
 * site bucket receives). Synchronous because CDK's local bundling is.
 */
export function buildConsoleSite(outDir: string): void {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      join(ROOT, 'web/vite.config.ts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

/**
 * The origins of S3's presigned URLs in the stack's region (virtual-hosted and path style), the
 * only hosts besides its own that the console's CSP lets the page reach.
 */
export const S3_ORIGINS = [`https://*.s3.${Aws.REGION}.amazonaws.com`, `https://s3.${Aws.REGION}.amazonaws.com`];

export interface ConsoleSiteProps {
  settings: EnvironmentSettings;
  api: HttpApi;
  /** Gets a CORS rule for the site's origin: the browser PUTs uploads straight to it. */
  audioBucket: Bucket;
  /** Server access logs of the site's buckets. */
  accessLogBucket: Bucket;
}

/**
 * The web console as a static site (`-c console=true`): the built app in a private bucket read by
 * CloudFront through origin access control, and `/api/*` routed to the HTTP API on the same
 * distribution, so the page and the API share one origin and the session cookie just works.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly cdnLogBucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { settings } = props;
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'console/',
      removalPolicy: settings.removalPolicy,
    });
    // CloudFront's standard logs are written with ACLs: this bucket alone keeps them enabled.
    this.cdnLogBucket = new Bucket(this, 'CdnLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'console-cdn/',
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(settings.name === 'prod' ? 365 : 30) }],
      removalPolicy: settings.removalPolicy,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${settings.prefix} console: the same headers local mode sends`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(S3_ORIGINS), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const api = new HttpOrigin(`${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });
    this.distribution = new Distribution(this, 'Cdn', {
      comment: `${settings.prefix} web console and API`,
      defaultRootObject: 'index.html',
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.cdnLogBucket,
      logFilePrefix: 'cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        // Everything the API needs passes through (cookies, query, Authorization, body); its own
        // Host header stays, which API Gateway requires. Nothing is cached.
        '/api/*': {
          origin: api,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    props.audioBucket.addCorsRule({
      allowedMethods: [HttpMethods.PUT],
      allowedOrigins: [`https://${this.distribution.distributionDomainName}`],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });

    const site = Source.asset(join(ROOT, 'web'), {
      // The hash of what was built: a change anywhere the app reads from (the ASL file too) redeploys it.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Built on this machine with the project's own Vite (no Docker).
        image: DockerImage.fromRegistry('local-build-only'),
        local: {
          tryBundle(outputDir) {
            buildConsoleSite(outputDir);
            return true;
          },
        },
      },
    });
    // Hashed assets first and for good (a page still open keeps finding its old ones: no prune);
    // then the pages, revalidated on every load and invalidated at the edge.
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [site],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['assets/*'],
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
      memoryLimit: 256,
    });
    this.deployment = new BucketDeployment(this, 'DeployPages', {
      sources: [site],
      destinationBucket: this.bucket,
      exclude: ['assets/*'],
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html'],
      memoryLimit: 256,
    });
    this.deployment.node.addDependency(assets);
  }

  /** `https://<distribution>.cloudfront.net`: the console, with the API under `/api`. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
