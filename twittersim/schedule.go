package twittersim

import "container/heap"

// postQueue orders the accounts that post by their next post time, earliest first; equal
// times go to the account added first. The generator pops from it instead of scanning
// every account for every tweet.
type postQueue []*account

func (q postQueue) Len() int { return len(q) }

func (q postQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.next.Equal(b.next) {
		return a.index < b.index
	}
	return a.next.Before(b.next)
}

func (q postQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *postQueue) Push(x any) { *q = append(*q, x.(*account)) }

func (q *postQueue) Pop() any {
	old := *q
	a := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return a
}

// schedule enters a, whose next post is set, into the queue; a silent account stays out.
func (q *postQueue) schedule(a *account) {
	if !a.next.IsZero() {
		heap.Push(q, a)
	}
}

// due returns the account whose next post is the earliest, or nil when none posts.
func (q postQueue) due() *account {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}

// rescheduled puts the earliest account back in its place after its next post moved.
func (q *postQueue) rescheduled() {
	if (*q)[0].next.IsZero() {
		heap.Pop(q)
		return
	}
	heap.Fix(q, 0)
}

// fenwick is a binary indexed tree of counts, one per tracked account in the order they
// were added: prefix sums and the search by cumulative count take O(log n).
type fenwick []int // fenwick[i-1] holds the sum over (i-lowbit(i), i]

// append adds a count for the next account.
func (f *fenwick) append(v int) {
	i := len(*f) + 1
	low := i & -i
	*f = append(*f, v+f.prefix(i-1)-f.prefix(i-low))
}

// add changes the count of account index by delta.
func (f fenwick) add(index, delta int) {
	for i := index + 1; i <= len(f); i += i & -i {
		f[i-1] += delta
	}
}

// prefix is the sum of the counts of the first n accounts.
func (f fenwick) prefix(n int) int {
	s := 0
	for i := n; i > 0; i -= i & -i {
		s += f[i-1]
	}
	return s
}

// find returns the account whose counts cover position k (0-based, below the total) of
// the accounts' counts laid end to end, and k's offset inside that account's share.
func (f fenwick) find(k int) (index, offset int) {
	pos, step := 0, 1
	for step*2 <= len(f) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next <= len(f) && f[next-1] <= k {
			pos = next
			k -= f[next-1]
		}
	}
	return pos, k
}
