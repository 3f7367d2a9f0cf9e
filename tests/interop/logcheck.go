// logcheck reads a sanctuary decision log with the Go team's reference code (golang.org/x/mod
// sumdb/note and sumdb/tlog, as Debian packages them) and exits non-zero on any mismatch.
//
//	logcheck -vkey VKEY [-witness WITNESS_VKEY ...] [-old CHECKPOINT_FILE] [-save CHECKPOINT_FILE] BASE_URL
//
// With -witness, the checkpoint must carry exactly one cosignature line by each witness, a valid C2SP
// tlog-cosignature/v1 (Ed25519) one: x/mod's note package verifies only its own signature type, so the
// cosignature is checked here as c2sp.org/tlog-cosignature says.
//
// BASE_URL serves the C2SP tlog-tiles layout (checkpoint, tile/<L>/<N>[.p/<W>], tile/entries/...),
// e.g. http://127.0.0.1:8000/v1/audit; entries are also read from BASE_URL/entries/<i>.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8 // C2SP tlog-tiles: 256 hashes per full tile

var client = &http.Client{Timeout: 20 * time.Second}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "logcheck: "+format+"\n", args...)
	os.Exit(1)
}

func get(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies the signed note with the log's key (and the witnesses' cosignatures) and
// parses its C2SP body (origin, size, base64 root hash, optional extension lines).
func openCheckpoint(text []byte, verifier note.Verifier, witnesses ...*cosigner) (checkpoint, error) {
	verifiers := []note.Verifier{verifier}
	for _, w := range witnesses {
		verifiers = append(verifiers, w)
	}
	n, err := note.Open(text, note.VerifierList(verifiers...))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %w", err)
	}
	if !signedBy(n, verifier.Name(), verifier.KeyHash()) {
		return checkpoint{}, errors.New("note.Open: no signature by the log's own key")
	}
	for _, w := range witnesses {
		if err := w.check(text, n); err != nil {
			return checkpoint{}, err
		}
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint body has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("checkpoint size %q is not a decimal number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	var h tlog.Hash
	copy(h[:], root)
	return checkpoint{lines[0], tlog.Tree{N: size, Hash: h}}, nil
}

func signedBy(n *note.Note, name string, hash uint32) bool {
	for _, sig := range n.Sigs {
		if sig.Name == name && sig.Hash == hash {
			return true
		}
	}
	return false
}

// cosigner is a note.Verifier for one witness's cosignature/v1 lines (c2sp.org/tlog-cosignature, Ed25519).
type cosigner struct {
	name  string
	id    uint32
	key   ed25519.PublicKey
	times []uint64 // the timestamps of the lines that verified
}

// newCosigner reads a witness's vkey: <name>+<hex key ID>+base64(0x04 || 32-byte Ed25519 public key).
func newCosigner(vkey string) (*cosigner, error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("%q is not name+keyid+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		return nil, fmt.Errorf("%s: not an Ed25519 cosignature key (type 0x04, 32 bytes)", parts[0])
	}
	// The key ID: SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4].
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	id := binary.BigEndian.Uint32(sum[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		return nil, fmt.Errorf("%s: key ID %s, the spec's is %08x", parts[0], parts[1], id)
	}
	return &cosigner{name: parts[0], id: id, key: ed25519.PublicKey(raw[1:])}, nil
}

func (c *cosigner) Name() string    { return c.name }
func (c *cosigner) KeyHash() uint32 { return c.id }

// Verify checks a timestamped_signature (u64 big-endian timestamp || Ed25519 signature) over
// "cosignature/v1\n" || "time <timestamp>\n" || the note body, final newline included.
func (c *cosigner) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	timestamp := binary.BigEndian.Uint64(sig[:8])
	if timestamp > math.MaxInt64 {
		return false
	}
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", timestamp)), msg...)
	if !ed25519.Verify(c.key, signed, sig[8:]) {
		return false
	}
	c.times = append(c.times, timestamp)
	return true
}

// check: the note carries exactly one line by this witness (note.Open drops repeated ones, so the
// lines are counted in the text), it verified, and its time is not in the future.
func (c *cosigner) check(text []byte, n *note.Note) error {
	lines := 0
	_, sigs, _ := strings.Cut(string(text), "\n\n")
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		name, b64, ok := strings.Cut(strings.TrimPrefix(line, "\u2014 "), " ")
		raw, err := base64.StdEncoding.DecodeString(b64)
		if ok && err == nil && name == c.name && len(raw) >= 4 && binary.BigEndian.Uint32(raw) == c.id {
			lines++
		}
	}
	if lines != 1 || !signedBy(n, c.name, c.id) {
		return fmt.Errorf("cosignature: %d line(s) by witness %s, one verified wanted", lines, c.name)
	}
	if now := uint64(time.Now().Unix()); c.times[len(c.times)-1] > now+60 {
		return fmt.Errorf("cosignature: witness %s signed at %d, in the future", c.name, c.times[len(c.times)-1])
	}
	fmt.Printf("cosignature: witness %s, cosignature/v1 at %d verified\n", c.name, c.times[len(c.times)-1])
	return nil
}

type witnessFlags []string

func (w *witnessFlags) String() string     { return strings.Join(*w, ",") }
func (w *witnessFlags) Set(v string) error { *w = append(*w, v); return nil }

// c2spPath maps a tlog tile to its C2SP path: tile/<L>/<N>[.p/<W>] (sumdb's adds the height).
func c2spPath(t tlog.Tile) string {
	p := t.Path() // tile/<H>/<L>/<N>[.p/<W>]
	prefix := fmt.Sprintf("tile/%d/", t.H)
	if !strings.HasPrefix(p, prefix) {
		fail("unexpected tlog tile path %s", p)
	}
	return "tile/" + strings.TrimPrefix(p, prefix)
}

type tileReader struct{ base string }

func (r tileReader) Height() int { return height }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := get(r.base + "/" + c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// bundleEntries reads every entry bundle of a tree of size n: entries prefixed by a big-endian uint16 length.
func bundleEntries(base string, n int64) ([][]byte, error) {
	var entries [][]byte
	for start := int64(0); start < n; start += 1 << height {
		width := int(min64(n-start, 1<<height))
		// the bundle of entries [start, start+width) has the path of the level-0 tile of their hashes
		path := "tile/entries/" + strings.TrimPrefix(c2spPath(tlog.Tile{H: height, L: 0, N: start >> height, W: width}), "tile/0/")
		data, err := get(base + "/" + path)
		if err != nil {
			return nil, err
		}
		for k := 0; k < width; k++ {
			if len(data) < 2 {
				return nil, fmt.Errorf("%s: truncated at entry %d", path, k)
			}
			size := int(data[0])<<8 | int(data[1])
			if len(data) < 2+size {
				return nil, fmt.Errorf("%s: entry %d truncated", path, k)
			}
			entries = append(entries, data[2:2+size])
			data = data[2+size:]
		}
		if len(data) != 0 {
			return nil, fmt.Errorf("%s: %d bytes after entry %d", path, len(data), width)
		}
	}
	return entries, nil
}

// servedProof is the log's own inclusion proof of entry i in the tree of size n: {"proof": [base64 hashes]}.
func servedProof(base string, i, n int64) (tlog.RecordProof, error) {
	data, err := get(fmt.Sprintf("%s/proof/%d?size=%d", base, i, n))
	if err != nil {
		return nil, err
	}
	var body struct{ Proof [][]byte }
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, err
	}
	proof := make(tlog.RecordProof, len(body.Proof))
	for k, h := range body.Proof {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d is %d bytes", k, len(h))
		}
		copy(proof[k][:], h)
	}
	return proof, nil
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func main() {
	vkey := flag.String("vkey", "", "the log's verifier key (name+hexid+base64)")
	old := flag.String("old", "", "an earlier checkpoint (signed note file): prove the current tree extends it")
	save := flag.String("save", "", "write the verified checkpoint note here")
	var witnessKeys witnessFlags
	flag.Var(&witnessKeys, "witness", "a witness's verifier key: its one cosignature/v1 line must verify (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 || *vkey == "" {
		fail("usage: logcheck -vkey VKEY [-witness VKEY ...] [-old FILE] [-save FILE] BASE_URL")
	}
	var witnesses []*cosigner
	for _, w := range witnessKeys {
		c, err := newCosigner(w)
		if err != nil {
			fail("witness: %v", err)
		}
		witnesses = append(witnesses, c)
	}
	base := strings.TrimRight(flag.Arg(0), "/")
	verifier, err := note.NewVerifier(strings.TrimSpace(*vkey))
	if err != nil {
		fail("vkey: %v", err)
	}

	text, err := get(base + "/tiles/checkpoint")
	if err != nil {
		fail("checkpoint: %v", err)
	}
	cp, err := openCheckpoint(text, verifier, witnesses...)
	if err != nil {
		fail("checkpoint: %v", err)
	}
	fmt.Printf("checkpoint: origin %s, size %d, root %s\n", cp.origin, cp.tree.N, cp.tree.Hash)
	if cp.tree.N == 0 {
		fail("checkpoint: empty log")
	}

	tiles := base + "/tiles"
	hashes := tlog.TileHashReader(cp.tree, tileReader{tiles})
	root, err := tlog.TreeHash(cp.tree.N, hashes)
	if err != nil {
		fail("tiles: %v", err)
	}
	if root != cp.tree.Hash {
		fail("tiles: tree hash %s, checkpoint root %s", root, cp.tree.Hash)
	}
	fmt.Printf("tiles: TreeHash(%d) equals the checkpoint root\n", cp.tree.N)

	entries, err := bundleEntries(tiles, cp.tree.N)
	if err != nil {
		fail("entry bundles: %v", err)
	}
	// TileHashReader alone does not authenticate every tile it returns (in x/mod 0.7.0 a full level-0
	// tile read beside the tree-hash tiles is not checked against its parent when those tiles are
	// fewer than the subtrees), so the entries' own tree is rebuilt and checked against the root.
	var stored []tlog.Hash
	memory := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for k, x := range indexes {
			out[k] = stored[x]
		}
		return out, nil
	})
	for i, entry := range entries {
		more, err := tlog.StoredHashes(int64(i), entry, memory)
		if err != nil {
			fail("entry bundles: %v", err)
		}
		stored = append(stored, more...)
	}
	if root, err := tlog.TreeHash(cp.tree.N, memory); err != nil || root != cp.tree.Hash {
		fail("entry bundles: the tree of the %d entries has root %s, the checkpoint %s (%v)", len(entries), root, cp.tree.Hash, err)
	}
	indexes := make([]int64, len(entries))
	for i := range entries {
		indexes[i] = tlog.StoredHashIndex(0, int64(i))
	}
	leaves, err := hashes.ReadHashes(indexes)
	if err != nil {
		fail("leaf hashes: %v", err)
	}
	for i, entry := range entries {
		if tlog.RecordHash(entry) != leaves[i] {
			fail("entry bundles: entry %d does not hash to leaf %d of the tiles", i, i)
		}
	}
	fmt.Printf("entry bundles: the %d entries make the checkpoint's tree and hash to the tiles' leaves\n", len(entries))

	for _, i := range []int64{0, cp.tree.N / 2, cp.tree.N - 1} {
		entry, err := get(fmt.Sprintf("%s/entries/%d", base, i))
		if err != nil {
			fail("entry %d: %v", i, err)
		}
		if !bytes.Equal(entry, entries[i]) {
			fail("entry %d: /entries/%d differs from its entry bundle", i, i)
		}
		proof, err := tlog.ProveRecord(cp.tree.N, i, hashes)
		if err != nil {
			fail("entry %d: ProveRecord: %v", i, err)
		}
		if err := tlog.CheckRecord(proof, cp.tree.N, cp.tree.Hash, i, tlog.RecordHash(entry)); err != nil {
			fail("entry %d: CheckRecord: %v", i, err)
		}
		served, err := servedProof(base, i, cp.tree.N)
		if err != nil {
			fail("entry %d: proof: %v", i, err)
		}
		if err := tlog.CheckRecord(served, cp.tree.N, cp.tree.Hash, i, tlog.RecordHash(entry)); err != nil {
			fail("entry %d: CheckRecord of /proof/%d: %v", i, i, err)
		}
		fmt.Printf("inclusion: entry %d proved in tree %d (%d hashes), and by /proof/%d\n", i, cp.tree.N, len(proof), i)
	}

	if *old != "" {
		oldText, err := os.ReadFile(*old)
		if err != nil {
			fail("old checkpoint: %v", err)
		}
		prev, err := openCheckpoint(oldText, verifier)
		if err != nil {
			fail("old checkpoint: %v", err)
		}
		if prev.origin != cp.origin || prev.tree.N > cp.tree.N {
			fail("old checkpoint: %s size %d does not precede %s size %d", prev.origin, prev.tree.N, cp.origin, cp.tree.N)
		}
		proof, err := tlog.ProveTree(cp.tree.N, prev.tree.N, hashes)
		if err != nil {
			fail("consistency: ProveTree: %v", err)
		}
		if err := tlog.CheckTree(proof, cp.tree.N, cp.tree.Hash, prev.tree.N, prev.tree.Hash); err != nil {
			fail("consistency: CheckTree %d -> %d: %v", prev.tree.N, cp.tree.N, err)
		}
		fmt.Printf("consistency: tree %d extends tree %d (%d hashes)\n", cp.tree.N, prev.tree.N, len(proof))
	}

	if *save != "" {
		if err := os.WriteFile(*save, text, 0o644); err != nil {
			fail("save: %v", err)
		}
	}
	fmt.Println("ok")
}
