import * as fs from 'fs';
import * as path from 'path';
import { FileAssetLocation, FileAssetPackaging, Stack, Stage } from 'aws-cdk-lib';

/** A directory asset registered with a stack's synthesizer. */
export interface StagedAsset {
  /** Where it will be in S3. */
  readonly location: FileAssetLocation;
  /** Its directory, as the asset manifest names it (relative to the stack's assembly directory). */
  readonly fileName: string;
}

/**
 * A new directory asset in `stack`'s cloud assembly: the files of `fromDir` plus `files`, staged
 * as `asset.<hash>` in the assembly's asset directory and registered with the stack's
 * synthesizer (the public `IStackSynthesizer.addFileAsset`, as `s3_assets.Asset` does after its
 * staging). Nothing is bundled, hashed from disk or copied byte for byte where the file system
 * can share:
 *
 * - `fromDir` inside the cloud assembly (the original asset's staged copy): every file is a hard
 *   link to the original's file, so the new asset takes no more room than its directories and
 *   `files`; where a link fails (another device, a file system without hard links, a file at
 *   its link limit) the file is cloned (copy-on-write where the file system offers it, such as
 *   btrfs, XFS or APFS, a byte copy otherwise);
 * - `fromDir` outside it (asset staging disabled with the `aws:cdk:disable-asset-staging`
 *   context, as the SAM CLI does: the original asset is the user's own folder): cloned, never
 *   linked, so that the cloud assembly shares no inode with the user's files.
 *
 * Nothing is ever written to `fromDir` or through a link: the directory is built under a
 * temporary name, `files` are created with `wx` (a new file, never an existing one opened for
 * writing), and the whole is renamed into place. A directory already there (a previous synth
 * into the same `cdk.out`) is reused as it is: its name is the hash of what it holds.
 *
 * `hash` must change whenever `fromDir`'s content or `files` change.
 *
 * Why not an `s3_assets.Asset` over a directory prepared in advance: `AssetStaging` (2.189.0 and
 * 2.276.0 alike) stages a directory at `asset.<sha256(assetHash)><extname(path)>` and copies it
 * there unless that path exists, so a prepared `asset.<x>` (whose extname is `.<x>`) is never
 * its own target and would be copied again; an `Asset` with local bundling (what this library
 * did before) prints "Bundling asset ..." and copies every byte in its bundling step.
 */
export function stageSharedAsset(
  stack: Stack,
  hash: string,
  fromDir: string | undefined,
  files: Record<string, string>,
): StagedAsset {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`${stack.node.path} is not in an App or a Stage: it has no cloud assembly to stage an asset in`);
  const dir = path.join(stage.assetOutdir, `asset.${hash}`);
  if (!fs.existsSync(dir)) {
    // Built in a new folder of our own (mkdtemp), so that nothing which was there before is ever
    // removed; `building` inside it gets the usual permissions (mkdtemp's own folder is 0700).
    const scratch = fs.mkdtempSync(`${dir}-building-`);
    const building = path.join(scratch, 'asset');
    fs.mkdirSync(building);
    if (fromDir !== undefined) {
      const within = path.relative(stage.assetOutdir, fromDir);
      const insideAssembly = within !== '' && !within.startsWith('..') && !path.isAbsolute(within);
      shareTree(fromDir, building, { links: insideAssembly });
    }
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(building, name)), { recursive: true });
      fs.writeFileSync(path.join(building, name), content, { flag: 'wx' });
    }
    try {
      fs.renameSync(building, dir);
    } catch (e) {
      // Another process staged the same hash first: keep its copy.
      if (!fs.existsSync(dir)) throw e;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return registerDirectory(stack, hash, dir);
}

/** Register an already staged directory as a zip asset of `stack`. */
export function registerDirectory(stack: Stack, hash: string, dir: string): StagedAsset {
  const stage = Stage.of(stack)!;
  // As AssetStaging.relativeStagedPath(): relative to the stack's assembly directory when the
  // asset is inside the asset directory, absolute otherwise.
  const fileName = path.relative(stage.assetOutdir, dir).startsWith('..') ? dir : path.relative(stage.outdir, dir);
  return { location: stack.synthesizer.addFileAsset({ sourceHash: hash, fileName, packaging: FileAssetPackaging.ZIP_DIRECTORY }), fileName };
}

/** The hard-link call, replaceable in tests (to act as a file system without hard links). */
export const fileSystem = { link: (existing: string, created: string) => fs.linkSync(existing, created) };

/** Recreate the tree `from` as the new directory `to`, sharing file contents (see `stageSharedAsset`). */
function shareTree(from: string, to: string, mode: { links: boolean }): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target);
      shareTree(source, target, mode);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(source), target);
    } else if (entry.isFile()) {
      if (mode.links) {
        try {
          fileSystem.link(source, target);
          continue;
        } catch (e) {
          // EXDEV (another device), EPERM or ENOTSUP (no hard links on this file system): clone
          // this file and every next one; EMLINK (this file's link limit): clone this one only.
          if ((e as NodeJS.ErrnoException).code !== 'EMLINK') mode.links = false;
        }
      }
      // A copy-on-write clone where the file system has one (btrfs, XFS, APFS), a byte copy otherwise.
      fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE);
    }
  }
}
