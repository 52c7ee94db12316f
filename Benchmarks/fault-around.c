// Resident file memory per touched page: maps FILE, reads one byte per MiB, prints the
// RssFile growth per touch (large page-cache folios + fault-around make it >> 4 KB).
//   cc -O2 Benchmarks/fault-around.c -o /tmp/fa && /tmp/fa .build/release/edge
#include <stdio.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
static long rss(){FILE*f=fopen("/proc/self/status","r");char l[256];long v=0;while(fgets(l,256,f)) if(!strncmp(l,"RssFile:",8)) v=atol(l+8);fclose(f);return v;}
int main(int c,char**v){int fd=open(v[1],O_RDONLY);off_t sz=lseek(fd,0,SEEK_END);
 char*p=mmap(0,sz,PROT_READ,MAP_PRIVATE,fd,0); if(c>2) madvise(p,sz,atoi(v[2]));
 long r0=rss(); volatile char s=0; int n=0; for(off_t o=0;o<sz;o+=1<<20){s+=p[o];n++;}
 printf("touched %d pages, RssFile +%ld kB (%.1f kB/touch)\n",n,rss()-r0,(rss()-r0)/(double)n);}
