import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleSite } from '../../stacks/constructs/console.js';
import { removeAssemblies, resourcesOf, type Synthesized, synthesize } from './synth.js';

/** `-c console=true`: the web console as an S3 + CloudFront site, `/api/*` on the same origin. */
afterAll(removeAssemblies);

let site: Synthesized;
let plain: Synthesized;
beforeAll(() => {
  site = synthesize('prod', { context: { console: 'true' } });
  plain = synthesize('dev');
});

const only = (s: Synthesized, type: string) => {
  const found = resourcesOf(s.json, type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
};

describe('console site', () => {
  it('exists only when asked for with -c console=true', () => {
    expect(resourcesOf(plain.json, 'AWS::CloudFront::Distribution')).toEqual([]);
    expect(resourcesOf(site.json, 'AWS::CloudFront::Distribution')).toHaveLength(1);
    site.template.hasOutput('ConsoleUrl', {
      Value: {
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsoleCdn'), 'DomainName'] }]],
      },
    });
  });

  it('serves the site bucket through origin access control only: private bucket, CloudFront-signed reads of this distribution', () => {
    const [bucketId] = resourcesOf(site.json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleSite'))!;
    site.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'console/' },
    });
    only(site, 'AWS::CloudFront::OriginAccessControl');
    site.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    site.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    expect(resourcesOf(site.json, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
  });

  it('routes /api/* to the HTTP API uncached, passing cookies, query and headers but keeping its Host', () => {
    const [, distribution] = only(site, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties!.DistributionConfig as {
      DefaultRootObject: string;
      Origins: Array<{ Id: string; DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }>;
      DefaultCacheBehavior: { ViewerProtocolPolicy: string; ResponseHeadersPolicyId: unknown };
      CacheBehaviors: Array<{
        PathPattern: string;
        TargetOriginId: string;
        AllowedMethods: string[];
        CachePolicyId: string;
        OriginRequestPolicyId: string;
        ViewerProtocolPolicy: string;
      }>;
      Logging: { Bucket: unknown };
    };
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0]!;
    expect(api.PathPattern).toBe('/api/*');
    expect(api.AllowedMethods).toEqual(
      expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
    );
    // AWS managed policies: CachingDisabled and AllViewerExceptHostHeader (ids from the CloudFront docs).
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    const origin = config.Origins.find((o) => o.Id === api.TargetOriginId)!;
    expect(origin.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(JSON.stringify(origin.DomainName)).toMatch(/HttpApi.*execute-api/);
    expect(config.Logging.Bucket).toBeDefined();
  });

  it('sends the same Content-Security-Policy as local mode, allowing only itself and S3 of its region', () => {
    const [, policy] = only(site, 'AWS::CloudFront::ResponseHeadersPolicy');
    const text = JSON.stringify(policy.Properties);
    expect(text).toContain("default-src 'self'");
    expect(text).toContain("connect-src 'self' https://*.s3.");
    expect(text).toContain('AWS::Region');
    expect(text).toContain('"FrameOption":"DENY"');
    expect(text).toContain('"AccessControlMaxAgeSec":31536000');
  });

  it("lets the browser PUT uploads from the site's origin straight to the audio bucket", () => {
    const [, audio] = resourcesOf(site.json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('StorageAudio'))!;
    const rules = (audio.Properties!.CorsConfiguration as { CorsRules: Array<Record<string, unknown>> }).CorsRules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        AllowedMethods: ['PUT'],
        AllowedOrigins: [
          { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleCdn/), 'DomainName'] }]] },
        ],
      }),
    );
  });

  it('uploads hashed assets as immutable and the pages as no-cache, invalidating the pages at the edge', () => {
    const deployments = resourcesOf(site.json, 'Custom::CDKBucketDeployment').map(([, r]) => r.Properties!);
    expect(deployments).toHaveLength(2);
    expect(deployments).toContainEqual(
      expect.objectContaining({
        Include: ['assets/*'],
        SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
        Prune: false,
      }),
    );
    expect(deployments).toContainEqual(
      expect.objectContaining({
        Exclude: ['assets/*'],
        SystemMetadata: { 'cache-control': 'no-cache' },
        DistributionPaths: ['/', '/index.html'],
      }),
    );
  });

  it('is cdk-nag clean, each acknowledgement with its reason', () => {
    expect(site.violations).toEqual([]);
    const acknowledged = site.stack.node
      .findAll()
      .filter((c) => c.node.path.includes('/Console/') || c.node.id.startsWith('Custom::CDKBucketDeployment'))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
    expect(acknowledged.map(([id]) => id.replace(/^\w+::/, ''))).toEqual(
      expect.arrayContaining(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-L1']),
    );
    for (const [id, reason] of acknowledged) expect(JSON.stringify(reason).length, id).toBeGreaterThan(60);
  });
});

describe('the deployed build', () => {
  it('is the same Vite build npm start serves: index.html and the assets it names', () => {
    const out = mkdtempSync(join(tmpdir(), 'console-site-'));
    try {
      buildConsoleSite(out);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      const referenced = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]!);
      expect(referenced.some((path) => /^assets\/index-[\w-]+\.js$/.test(path))).toBe(true);
      for (const path of referenced) expect(existsSync(join(out, path)), path).toBe(true);
      expect(readdirSync(join(out, 'assets')).some((name) => name.startsWith('elk-worker'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
