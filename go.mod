module github.com/fundmatch/fundmatch

go 1.26

require github.com/blevesearch/snowballstem v0.9.0
