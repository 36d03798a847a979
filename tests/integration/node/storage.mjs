// Drives the daemon's Cloud Storage emulation with the official Node.js
// client, @google-cloud/storage (pinned in package.json). Run by
// tests/integration/test_storage_node.sh from a cache outside the tree:
//
//   STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT GOOGLE_CLOUD_PROJECT=p \
//       node storage.mjs BUCKET
//
// BUCKET is a bucket the shell already made; the script makes its own
// BUCKET-sdk for the rest and deletes it at the end. One line per step:
// "ok NAME" or "not ok NAME: ERROR". Exit status: 0 all ok, 1 a step failed.
//
// No credentials: with a custom endpoint the library skips google-auth
// unless useAuthWithCustomEndpoint is set (nodejs-common/util.js,
// resumable-upload.js), so none are given.
//
// Not exercised, because the daemon does not implement them yet:
// file.copy / file.move (objects.copy, objects.rewrite), bucket.combine
// (objects.compose), file.setMetadata (objects.patch / objects.update).

import { Storage, CRC32C } from '@google-cloud/storage';
import { createHash, randomBytes } from 'node:crypto';

const host = process.env.STORAGE_EMULATOR_HOST;
const projectId = process.env.GOOGLE_CLOUD_PROJECT;
const shellBucket = process.argv[2];
if (!host || !shellBucket) {
	console.error('usage: STORAGE_EMULATOR_HOST=http://HOST:PORT node storage.mjs BUCKET');
	process.exit(2);
}

let failed = 0;

function oneLine(e) {
	const msg = e && e.message ? e.message : String(e);
	const code = e && e.code !== undefined ? ` (code ${e.code})` : '';
	return (msg + code).replace(/\s+/g, ' ').slice(0, 500);
}

async function step(name, fn) {
	try {
		await fn();
		console.log(`ok ${name}`);
	} catch (e) {
		failed++;
		console.log(`not ok ${name}: ${oneLine(e)}`);
	}
}

function assertEq(what, actual, expected) {
	const a = JSON.stringify(actual);
	const b = JSON.stringify(expected);
	if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`);
}

function assertBytes(what, actual, expected) {
	if (!Buffer.isBuffer(actual) || !actual.equals(expected)) {
		throw new Error(`${what}: ${actual.length} bytes differ from the ${expected.length} expected`);
	}
}

async function expectCode(what, code, fn) {
	let err;
	try {
		await fn();
	} catch (e) {
		err = e;
	}
	if (!err) throw new Error(`${what}: succeeded, expected HTTP ${code}`);
	if (err.code !== code) throw new Error(`${what}: expected code ${code}, got: ${oneLine(err)}`);
}

const md5 = (buf) => createHash('md5').update(buf).digest('base64');
const crc32c = (buf) => {
	const c = new CRC32C();
	c.update(buf);
	return c.toString();
};

function readAll(stream) {
	return new Promise((resolve, reject) => {
		const parts = [];
		stream.on('data', (d) => parts.push(d));
		stream.on('error', reject);
		stream.on('end', () => resolve(Buffer.concat(parts)));
	});
}

// Retries would only hide daemon errors and slow a failing run down.
const common = { projectId, retryOptions: { autoRetry: false } };

// 1. As `stimulator env` sets things up: STORAGE_EMULATOR_HOST in the
// environment. The library then takes the variable itself as baseUrl for
// every JSON API call (storage.js: baseUrl = EMULATOR_HOST || apiEndpoint +
// '/storage/v1'), while uploads go to apiEndpoint + '/upload/storage/v1'.
const envClient = new Storage({ apiEndpoint: host, ...common });
const small = Buffer.from('hello from @google-cloud/storage\n');

await step('bucket.getMetadata with env STORAGE_EMULATOR_HOST', async () => {
	const [md] = await envClient.bucket(shellBucket).getMetadata();
	assertEq('name', md.name, shellBucket);
});

// 2. The rest through apiEndpoint alone, which the library documents as the
// supported way (the variable is "experimental"): JSON calls then go to
// apiEndpoint + '/storage/v1'.
delete process.env.STORAGE_EMULATOR_HOST;
const storage = new Storage({ apiEndpoint: host, ...common });
const B = `${shellBucket}-sdk`;
const bucket = storage.bucket(B);
const big = randomBytes(10 * 1024 * 1024);

await step('client needs no credentials (custom endpoint)', async () => {
	assertEq('customEndpoint', storage.customEndpoint, true);
	assertEq('baseUrl', storage.baseUrl, `${host.replace(/\/+$/, '')}/storage/v1`);
});

await step('bucket made by the shell: exists + getMetadata', async () => {
	const [exists] = await storage.bucket(shellBucket).exists();
	assertEq('exists', exists, true);
	const [md] = await storage.bucket(shellBucket).getMetadata();
	assertEq('name', md.name, shellBucket);
});

await step('storage.createBucket', async () => {
	const [b, md] = await storage.createBucket(B);
	assertEq('name', b.name, B);
	assertEq('metadata.name', md.name, B);
});

await step('createBucket on an existing name is 409', () =>
	expectCode('createBucket', 409, () => storage.createBucket(B)));

await step('file.save small string, resumable:false (multipart)', async () => {
	await bucket.file('small.txt').save(small.toString(), { resumable: false, contentType: 'text/plain' });
});

await step('file.save 10 MiB Buffer, resumable:true (one PUT)', async () => {
	await bucket.file('big/blob.bin').save(big, { resumable: true, contentType: 'application/octet-stream' });
});

await step('file.save 10 MiB Buffer, resumable:true, chunkSize 4 MiB (308s)', async () => {
	await bucket.file('big/chunked.bin').save(big, { resumable: true, chunkSize: 4 * 1024 * 1024 });
});

await step('file.download small (validation on)', async () => {
	const [data] = await bucket.file('small.txt').download();
	assertBytes('small.txt', data, small);
});

await step('file.download 10 MiB (validation on)', async () => {
	const [data] = await bucket.file('big/blob.bin').download();
	assertBytes('big/blob.bin', data, big);
});

await step('file.download the chunked upload (validation on)', async () => {
	const [data] = await bucket.file('big/chunked.bin').download();
	assertBytes('big/chunked.bin', data, big);
});

await step('file.download validation:"md5"', async () => {
	const [data] = await bucket.file('big/blob.bin').download({ validation: 'md5' });
	assertBytes('big/blob.bin', data, big);
});

await step('file.getMetadata small', async () => {
	const [md] = await bucket.file('small.txt').getMetadata();
	assertEq('fields', [md.name, String(md.size), md.md5Hash, md.crc32c, md.contentType, md.bucket],
		['small.txt', String(small.length), md5(small), crc32c(small), 'text/plain', B]);
	if (!md.generation) throw new Error('no generation');
});

await step('file.getMetadata 10 MiB', async () => {
	const [md] = await bucket.file('big/blob.bin').getMetadata();
	assertEq('fields', [String(md.size), md.md5Hash, md.crc32c, md.contentType],
		[String(big.length), md5(big), crc32c(big), 'application/octet-stream']);
});

await step('file.getMetadata of a missing object is 404', () =>
	expectCode('getMetadata', 404, () => bucket.file('nope').getMetadata()));

for (const n of ['dir/a.txt', 'dir/c.txt', 'dir/sub/b.txt', 'dir/sub/d.txt', 'top.txt']) {
	await step(`file.save ${n}`, () => bucket.file(n).save(n, { resumable: false }));
}

await step('bucket.getFiles prefix+delimiter, apiResponse.prefixes', async () => {
	const [files, , resp] = await bucket.getFiles({ prefix: 'dir/', delimiter: '/', autoPaginate: false });
	assertEq('files', files.map((f) => f.name), ['dir/a.txt', 'dir/c.txt']);
	assertEq('prefixes', resp.prefixes, ['dir/sub/']);
});

await step('bucket.getFiles delimiter at the top', async () => {
	const [files, , resp] = await bucket.getFiles({ delimiter: '/', autoPaginate: false });
	assertEq('files', files.map((f) => f.name), ['small.txt', 'top.txt']);
	assertEq('prefixes', resp.prefixes, ['big/', 'dir/']);
});

await step('bucket.getFiles matchGlob', async () => {
	const [files] = await bucket.getFiles({ matchGlob: 'dir/**/{b,c}.txt' });
	assertEq('files', files.map((f) => f.name), ['dir/c.txt', 'dir/sub/b.txt']);
});

const allNames = ['big/blob.bin', 'big/chunked.bin', 'dir/a.txt', 'dir/c.txt', 'dir/sub/b.txt',
	'dir/sub/d.txt', 'small.txt', 'top.txt'];

await step('bucket.getFiles maxResults:3, autoPaginate:false, walk nextQuery', async () => {
	const names = [];
	let query = { maxResults: 3, autoPaginate: false };
	let pages = 0;
	while (query) {
		const [files, next] = await bucket.getFiles(query);
		if (files.length > 3) throw new Error(`page of ${files.length} > maxResults`);
		names.push(...files.map((f) => f.name));
		query = next;
		if (++pages > 10) throw new Error('too many pages');
	}
	assertEq('pages', pages, 3);
	assertEq('names', names, allNames);
});

await step('bucket.getFiles autoPaginate (all pages)', async () => {
	const [files] = await bucket.getFiles({ autoPaginate: true });
	assertEq('names', files.map((f) => f.name), allNames);
});

await step('bucket.getFiles maxResults:5 caps the total', async () => {
	const [files] = await bucket.getFiles({ maxResults: 5 });
	assertEq('names', files.map((f) => f.name), allNames.slice(0, 5));
});

await step('bucket.getFilesStream walks every page', async () => {
	const names = [];
	await new Promise((resolve, reject) => {
		bucket.getFilesStream({ maxApiCalls: 10, autoPaginate: true })
			.on('data', (f) => names.push(f.name)).on('error', reject).on('end', resolve);
	});
	assertEq('names', names, allNames);
});

await step('file.createReadStream start/end (range)', async () => {
	const data = await readAll(bucket.file('small.txt').createReadStream({ start: 1, end: 4 }));
	assertBytes('bytes 1-4', data, small.subarray(1, 5));
});

await step('file.createReadStream range inside 10 MiB', async () => {
	const start = 5 * 1024 * 1024 + 7;
	const data = await readAll(bucket.file('big/blob.bin').createReadStream({ start, end: start + 99999 }));
	assertBytes('range', data, big.subarray(start, start + 100000));
});

await step('file.createReadStream start only (to the end)', async () => {
	const data = await readAll(bucket.file('small.txt').createReadStream({ start: 6 }));
	assertBytes('bytes 6-', data, small.subarray(6));
});

await step('file.download start/end', async () => {
	const [data] = await bucket.file('big/blob.bin').download({ start: 0, end: 1023 });
	assertBytes('first KiB', data, big.subarray(0, 1024));
});

await step('file.exists true / false', async () => {
	assertEq('small.txt', (await bucket.file('small.txt').exists())[0], true);
	assertEq('nope', (await bucket.file('nope').exists())[0], false);
});

await step('save ifGenerationMatch:0 on an existing file is 412 (multipart)', () =>
	expectCode('save', 412, () => bucket.file('small.txt').save('other', {
		resumable: false, preconditionOpts: { ifGenerationMatch: 0 },
	})));

await step('save ifGenerationMatch:0 on an existing file is 412 (resumable)', () =>
	expectCode('save', 412, () => bucket.file('small.txt').save('other', {
		resumable: true, preconditionOpts: { ifGenerationMatch: 0 },
	})));

await step('the failed preconditions left the object alone', async () => {
	const [data] = await bucket.file('small.txt').download();
	assertBytes('small.txt', data, small);
});

await step('save ifGenerationMatch:<current> replaces', async () => {
	const [md] = await bucket.file('top.txt').getMetadata();
	await bucket.file('top.txt').save('top v2', {
		resumable: false, preconditionOpts: { ifGenerationMatch: md.generation },
	});
	const [data] = await bucket.file('top.txt').download();
	assertEq('content', data.toString(), 'top v2');
});

await step('save ifGenerationMatch:0 on a new name creates it', async () => {
	await bucket.file('fresh.txt').save('fresh', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
});

await step('file.copy (rewrite), then the copy reads back', async () => {
	await bucket.file('top.txt').copy(bucket.file('copies/top.txt'));
	const [data] = await bucket.file('copies/top.txt').download();
	assertEq('content', data.toString(), 'top v2');
});

await step('file.move: the source goes, the destination holds the bytes', async () => {
	await bucket.file('copies/top.txt').move('moved/top.txt');
	assertEq('source exists', (await bucket.file('copies/top.txt').exists())[0], false);
	const [data] = await bucket.file('moved/top.txt').download();
	assertEq('content', data.toString(), 'top v2');
});

await step('file.setMetadata: contentType and custom metadata (null removes a key)', async () => {
	const f = bucket.file('moved/top.txt');
	await f.setMetadata({ contentType: 'text/x-moved', metadata: { a: '1', b: '2' } });
	await f.setMetadata({ metadata: { a: null } });
	const [md] = await f.getMetadata();
	assertEq('fields', [md.contentType, md.metadata, String(md.metageneration)],
		['text/x-moved', { b: '2' }, '3']);
});

await step('bucket.combine: a composite with componentCount and a crc32c', async () => {
	const [combined] = await bucket.combine(['dir/a.txt', 'dir/c.txt'], 'combined.txt');
	const [data] = await combined.download();
	assertEq('content', data.toString(), 'dir/a.txtdir/c.txt');
	const [md] = await combined.getMetadata();
	assertEq('composite', [md.componentCount, md.crc32c, md.md5Hash],
		[2, crc32c(data), undefined]);
});

await step('file.delete', async () => {
	await bucket.file('small.txt').delete();
	assertEq('exists after delete', (await bucket.file('small.txt').exists())[0], false);
});

await step('file.delete of a missing object is 404', () =>
	expectCode('delete', 404, () => bucket.file('small.txt').delete()));

await step('file.delete ignoreNotFound', async () => {
	await bucket.file('small.txt').delete({ ignoreNotFound: true });
});

await step('bucket.delete of a non-empty bucket is 409', () =>
	expectCode('bucket.delete', 409, () => bucket.delete()));

await step('bucket.deleteFiles({prefix})', async () => {
	await bucket.deleteFiles({ prefix: 'dir/' });
	const [files] = await bucket.getFiles();
	assertEq('left', files.map((f) => f.name), ['big/blob.bin', 'big/chunked.bin',
		'combined.txt', 'fresh.txt', 'moved/top.txt', 'top.txt']);
});

await step('bucket.deleteFiles()', async () => {
	await bucket.deleteFiles();
	const [files] = await bucket.getFiles();
	assertEq('left', files.length, 0);
});

await step('bucket.delete', async () => {
	await bucket.delete();
	assertEq('exists after delete', (await bucket.exists())[0], false);
});

await step('bucket.getMetadata of the deleted bucket is 404', () =>
	expectCode('getMetadata', 404, () => bucket.getMetadata()));

// Back to the environment variable, for the download path: uploads do not
// depend on it, reads do.
process.env.STORAGE_EMULATOR_HOST = host;
await step('file.download with env STORAGE_EMULATOR_HOST', async () => {
	await storage.bucket(shellBucket).file('env.txt').save(small, { resumable: false });
	const [data] = await envClient.bucket(shellBucket).file('env.txt').download();
	assertBytes('env.txt', data, small);
});

process.exit(failed ? 1 : 0);
